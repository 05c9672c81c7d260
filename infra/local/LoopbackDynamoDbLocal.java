import java.lang.reflect.Field;
import java.util.Arrays;

/**
 * DynamoDB Local bound to one address. The jar's own main (ServerRunner) listens on every interface and has no
 * option to choose one, so this launcher builds the same server from the same arguments, sets the host of its
 * Jetty connector before it starts, and starts it. infra/local/dynamodb-local.ts compiles it once per Java (into
 * node_modules/.cache/) and runs it as `java -cp <that>:DynamoDBLocal.jar LoopbackDynamoDbLocal HOST ARGS...`.
 *
 * Everything of DynamoDB Local is reached by reflection: this file compiles without its jars, and a release
 * that renames what it uses fails loudly here (infra/local/dynamodb-local.ts then says so) instead of silently
 * listening everywhere. Telemetry is never configured (ServerRunner's main is what configures it), so nothing
 * is sent.
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: LoopbackDynamoDbLocal <host> [DynamoDB Local arguments]");
      System.exit(2);
    }
    String host = args[0];
    String[] serverArgs = Arrays.copyOfRange(args, 1, args.length);
    Class<?> runner = Class.forName("software.amazon.dynamodb.services.local.main.ServerRunner");
    Object proxy = runner.getMethod("createServerFromCommandLineArgs", String[].class).invoke(null, (Object) serverArgs);
    Field field = proxy.getClass().getDeclaredField("server");
    field.setAccessible(true);
    Object server = field.get(proxy);
    Object[] connectors = (Object[]) server.getClass().getMethod("getConnectors").invoke(server);
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local has no connector to bind");
    for (Object connector : connectors) {
      connector.getClass().getMethod("setHost", String.class).invoke(connector, host);
    }
    proxy.getClass().getMethod("start").invoke(proxy);
    // start() reports a port it cannot take on stderr and stops the server instead of throwing.
    if (!(Boolean) server.getClass().getMethod("isStarted").invoke(server)) System.exit(1);
  }
}
