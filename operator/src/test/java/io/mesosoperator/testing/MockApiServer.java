package io.mesosoperator.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Like fabric8's {@code @EnableKubernetesMockClient(crud = true)}, one CRUD mock per test, injected
 * into the test's {@link KubernetesMockServer} and {@link KubernetesClient} fields, but with the
 * {@link MockApiDispatcher}, so server-side apply patches work.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(MockApiServer.Extension.class)
public @interface MockApiServer {

  /** Starts the mock before each test and stops it after. */
  final class Extension implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS =
        ExtensionContext.Namespace.create(MockApiServer.class);

    /** A mock server on 127.0.0.1 with the applying dispatcher, and a client for it. */
    public static KubernetesMockServer start() {
      Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
      KubernetesMockServer server =
          new KubernetesMockServer(
              new Context(Serialization.jsonMapper()),
              new MockWebServer(),
              responses,
              new MockApiDispatcher(responses),
              false);
      server.init(InetAddress.getLoopbackAddress(), 0);
      return server;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
      KubernetesMockServer server = start();
      KubernetesClient client = server.createClient();
      context.getStore(NS).put("server", server);
      context.getStore(NS).put("client", client);
      Object test = context.getRequiredTestInstance();
      for (Class<?> c = test.getClass(); c != Object.class; c = c.getSuperclass()) {
        for (Field f : c.getDeclaredFields()) {
          if (Modifier.isStatic(f.getModifiers())) {
            continue;
          }
          if (f.getType() == KubernetesMockServer.class) {
            f.setAccessible(true);
            f.set(test, server);
          } else if (f.getType() == KubernetesClient.class) {
            f.setAccessible(true);
            f.set(test, client);
          }
        }
      }
    }

    @Override
    public void afterEach(ExtensionContext context) {
      KubernetesClient client = context.getStore(NS).remove("client", KubernetesClient.class);
      if (client != null) {
        client.close();
      }
      KubernetesMockServer server =
          context.getStore(NS).remove("server", KubernetesMockServer.class);
      if (server != null) {
        server.destroy();
      }
    }
  }
}
