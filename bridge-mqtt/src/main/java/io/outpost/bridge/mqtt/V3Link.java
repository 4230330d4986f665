package io.outpost.bridge.mqtt;

import java.util.List;
import java.util.Map;
import javax.net.SocketFactory;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * {@link MqttLink} over Paho's MQTT 3.1.1 client, for older brokers: persistent session (clean
 * session off), manual acks. 3.1.1 has no noLocal and no properties, so the bridge recognises its
 * own echoes itself ({@link EchoGuard}) and the configuration refuses rule sets that would loop.
 */
final class V3Link implements MqttLink {
  private final BridgeConfig config;
  private final String clientId;
  private final String password;
  private final SocketFactory sockets;
  private final Listener listener;
  private MqttAsyncClient client;

  V3Link(
      BridgeConfig config,
      String clientId,
      String password,
      SocketFactory sockets,
      Listener listener) {
    this.config = config;
    this.clientId = clientId;
    this.password = password;
    this.sockets = sockets;
    this.listener = listener;
  }

  @Override
  public void connect() throws Exception {
    close();
    MqttAsyncClient c =
        new MqttAsyncClient(config.broker().toString(), clientId, new MemoryPersistence());
    c.setManualAcks(true);
    c.setCallback(
        new MqttCallback() {
          @Override
          public void connectionLost(Throwable cause) {
            listener.lost(cause);
          }

          @Override
          public void messageArrived(String topic, MqttMessage m) {
            listener.message(
                new Incoming(
                    topic,
                    m.getPayload(),
                    m.getQos(),
                    m.isRetained(),
                    m.isDuplicate(),
                    m.getId(),
                    Map.of(),
                    null,
                    null));
          }

          @Override
          public void deliveryComplete(IMqttDeliveryToken token) {}
        });
    MqttConnectOptions o = new MqttConnectOptions();
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    o.setCleanSession(false);
    o.setKeepAliveInterval((int) config.keepAlive().toSeconds());
    o.setConnectionTimeout((int) Math.max(1, config.connectTimeout().toSeconds()));
    o.setAutomaticReconnect(false);
    o.setMaxInflight(1000);
    if (config.username() != null) {
      o.setUserName(config.username());
    }
    if (password != null) {
      o.setPassword(password.toCharArray());
    }
    if (sockets != null) {
      o.setSocketFactory(sockets);
    }
    client = c;
    try {
      c.connect(o).waitForCompletion(config.connectTimeout().toMillis() + 1000);
    } catch (MqttException e) {
      close();
      throw e;
    }
  }

  @Override
  public boolean connected() {
    MqttAsyncClient c = client;
    return c != null && c.isConnected();
  }

  @Override
  public void subscribe(List<Subscription> subscriptions) throws Exception {
    String[] filters = subscriptions.stream().map(Subscription::filter).toArray(String[]::new);
    int[] qos = subscriptions.stream().mapToInt(Subscription::qos).toArray();
    IMqttToken t = client.subscribe(filters, qos);
    t.waitForCompletion(config.connectTimeout().toMillis());
    int[] granted = t.getGrantedQos();
    for (int i = 0; granted != null && i < granted.length && i < filters.length; i++) {
      if (granted[i] >= 0x80) {
        throw new IllegalStateException(
            "the broker refused the subscription to \"" + filters[i] + "\"");
      }
    }
  }

  @Override
  public void publish(String topic, byte[] payload, int qos, boolean retain, String origin)
      throws Exception {
    MqttMessage m = new MqttMessage(payload);
    m.setQos(qos);
    m.setRetained(retain);
    client.publish(topic, m).waitForCompletion(config.connectTimeout().toMillis());
  }

  @Override
  public void ack(Incoming message) {
    MqttAsyncClient c = client;
    if (message.qos() == 0 || c == null) {
      return;
    }
    try {
      c.messageArrivedComplete(message.id(), message.qos());
    } catch (MqttException | RuntimeException e) {
      // Disconnected meanwhile: the broker redelivers it (a duplicate, which consumers dedupe).
    }
  }

  @Override
  public void close() {
    MqttAsyncClient c = client;
    client = null;
    if (c == null) {
      return;
    }
    try {
      if (c.isConnected()) {
        c.disconnect(1000).waitForCompletion(2000);
      }
    } catch (MqttException | RuntimeException e) {
      // going away anyway
    }
    try {
      c.close(true);
    } catch (MqttException | RuntimeException e) {
      // nothing left to release
    }
  }
}
