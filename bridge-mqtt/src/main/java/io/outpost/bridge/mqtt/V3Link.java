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
final class V3Link extends PahoLink<MqttAsyncClient> {

  V3Link(
      BridgeConfig config,
      String clientId,
      String password,
      SocketFactory sockets,
      Listener listener) {
    super(config, clientId, password, sockets, listener);
  }

  @Override
  MqttAsyncClient create() throws MqttException {
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
    return c;
  }

  @Override
  void connect(MqttAsyncClient c) throws MqttException {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    o.setCleanSession(false);
    o.setKeepAliveInterval(keepAliveSeconds());
    o.setConnectionTimeout(connectTimeoutSeconds());
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
    c.connect(o).waitForCompletion(timeoutMs() + 1000);
  }

  @Override
  boolean isConnected(MqttAsyncClient c) {
    return c.isConnected();
  }

  @Override
  public void subscribe(List<Subscription> subscriptions) throws Exception {
    String[] filters = subscriptions.stream().map(Subscription::filter).toArray(String[]::new);
    int[] qos = subscriptions.stream().mapToInt(Subscription::qos).toArray();
    IMqttToken t = client().subscribe(filters, qos);
    t.waitForCompletion(timeoutMs());
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
    client().publish(topic, m).waitForCompletion(timeoutMs());
  }

  @Override
  void acknowledge(MqttAsyncClient c, int id, int qos) throws MqttException {
    c.messageArrivedComplete(id, qos);
  }

  @Override
  void disconnect(MqttAsyncClient c) throws MqttException {
    c.disconnect(1000).waitForCompletion(2000);
  }

  @Override
  void release(MqttAsyncClient c) throws MqttException {
    c.close(true);
  }
}
