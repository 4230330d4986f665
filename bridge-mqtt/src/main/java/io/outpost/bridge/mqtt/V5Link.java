package io.outpost.bridge.mqtt;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/** {@link MqttLink} over Paho's MQTT 5 client: persistent session, manual acks, noLocal. */
final class V5Link extends PahoLink<MqttAsyncClient> {
  static final String ORIGIN_PROPERTY = "outpost-origin";

  V5Link(
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
          public void disconnected(MqttDisconnectResponse r) {
            listener.lost(
                r.getException() != null
                    ? r.getException()
                    : new IllegalStateException(
                        "broker disconnected (reason " + r.getReturnCode() + ")"));
          }

          @Override
          public void mqttErrorOccurred(MqttException e) {
            listener.lost(e);
          }

          @Override
          public void messageArrived(String topic, MqttMessage m) {
            listener.message(incoming(topic, m));
          }

          @Override
          public void deliveryComplete(IMqttToken token) {}

          @Override
          public void connectComplete(boolean reconnect, String serverUri) {}

          @Override
          public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
    return c;
  }

  @Override
  void connect(MqttAsyncClient c) throws MqttException {
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(false);
    o.setSessionExpiryInterval(config.sessionExpiry().toSeconds());
    o.setKeepAliveInterval(keepAliveSeconds());
    o.setConnectionTimeout(connectTimeoutSeconds());
    o.setAutomaticReconnect(false); // the bridge reconnects itself, with its own backoff
    o.setReceiveMaximum(1000);
    if (config.username() != null) {
      o.setUserName(config.username());
    }
    if (password != null) {
      o.setPassword(password.getBytes(StandardCharsets.UTF_8));
    }
    if (sockets != null) {
      o.setSocketFactory(sockets);
    }
    c.connect(o).waitForCompletion(timeoutMs() + 1000);
  }

  private static Incoming incoming(String topic, MqttMessage m) {
    Map<String, Object> props = new LinkedHashMap<>();
    MqttProperties p = m.getProperties();
    String origin = null;
    String contentType = null;
    if (p != null) {
      if (p.getContentType() != null) {
        contentType = p.getContentType();
        props.put("contentType", contentType);
      }
      if (p.getResponseTopic() != null) {
        props.put("responseTopic", p.getResponseTopic());
      }
      if (p.getCorrelationData() != null) {
        props.put(
            "correlationData",
            java.util.Base64.getEncoder().encodeToString(p.getCorrelationData()));
      }
      if (p.getPayloadFormat()) {
        props.put("payloadFormat", "utf-8");
      }
      if (p.getMessageExpiryInterval() != null) {
        props.put("messageExpiryInterval", p.getMessageExpiryInterval());
      }
      List<UserProperty> user = p.getUserProperties();
      if (user != null && !user.isEmpty()) {
        Map<String, Object> u = new LinkedHashMap<>();
        for (UserProperty up : user) {
          if (ORIGIN_PROPERTY.equals(up.getKey())) {
            origin = up.getValue();
          }
          u.put(up.getKey(), up.getValue());
        }
        props.put("user", u);
      }
    }
    return new Incoming(
        topic,
        m.getPayload(),
        m.getQos(),
        m.isRetained(),
        m.isDuplicate(),
        m.getId(),
        props,
        contentType,
        origin);
  }

  @Override
  boolean isConnected(MqttAsyncClient c) {
    return c.isConnected();
  }

  @Override
  public void subscribe(List<Subscription> subscriptions) throws Exception {
    MqttSubscription[] subs = new MqttSubscription[subscriptions.size()];
    for (int i = 0; i < subs.length; i++) {
      subs[i] = new MqttSubscription(subscriptions.get(i).filter(), subscriptions.get(i).qos());
      subs[i].setNoLocal(true);
      // A bridge passes the retain flag on as published (as Mosquitto's own bridge does).
      subs[i].setRetainAsPublished(true);
    }
    IMqttToken t = client().subscribe(subs, null, null, new MqttProperties());
    t.waitForCompletion(timeoutMs());
    int[] codes = t.getReasonCodes();
    for (int i = 0; codes != null && i < codes.length && i < subs.length; i++) {
      if (codes[i] >= 0x80) {
        throw new IllegalStateException(
            "the broker refused the subscription to \""
                + subs[i].getTopic()
                + "\" (reason 0x"
                + Integer.toHexString(codes[i])
                + ")");
      }
    }
  }

  @Override
  public void publish(String topic, byte[] payload, int qos, boolean retain, String origin)
      throws Exception {
    MqttMessage m = new MqttMessage(payload, qos, retain, null);
    MqttProperties p = new MqttProperties();
    p.setUserProperties(List.of(new UserProperty(ORIGIN_PROPERTY, origin)));
    m.setProperties(p);
    IMqttToken t = client().publish(topic, m);
    t.waitForCompletion(timeoutMs());
    int[] codes = t.getReasonCodes();
    if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
      throw new IllegalStateException(
          "the broker refused the publish to \""
              + topic
              + "\" (reason 0x"
              + Integer.toHexString(codes[0])
              + ")");
    }
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
