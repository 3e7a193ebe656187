package org.flocksy.core.control;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.flocksy.core.config.Problems;

/**
 * How a {@link Control} call travels over the control socket: one JSON object per line each way,
 * {@code {"call":"versions","args":["docs","a.txt"]}} in, {@code {"ok":true,"result":[...]}} or
 * {@code {"ok":false,"error":"no box 'docs' (boxes: notes)"}} out. The calls are exactly the methods of
 * {@link Control}: declared once, answered by the daemon and made by the client from the same interface.
 */
final class ControlCalls {
    /** The same names on both sides: {@code last_heartbeat_ms_ago}, as scripts reading {@code --json} see them. */
    static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    /** Every call by name. */
    static final Map<String, Method> METHODS = Arrays.stream(Control.class.getMethods())
            .filter(m -> !Modifier.isStatic(m.getModifiers()))
            .collect(Collectors.toUnmodifiableMap(Method::getName, Function.identity()));

    private ControlCalls() {}

    /** The request line for a call. */
    static byte[] request(Method method, Object[] args) throws IOException {
        ObjectNode request = JSON.createObjectNode().put("call", method.getName());
        ArrayNode list = request.putArray("args");
        for (Object a : args == null ? new Object[0] : args) {
            list.add(JSON.valueToTree(a));
        }
        return JSON.writeValueAsBytes(request);
    }

    /** Answers one request line with {@code control}; never throws. */
    static byte[] answer(Control control, String line) throws IOException {
        ObjectNode reply = JSON.createObjectNode();
        try {
            reply.set("result", JSON.valueToTree(invoke(control, line)));
            reply.put("ok", true);
        } catch (ControlException e) {
            reply.put("ok", false).put("error", e.getMessage());
        } catch (IOException e) {
            reply.put("ok", false).put("error", Problems.describe(e));
        } catch (RuntimeException e) {
            reply.put("ok", false).put("error", "internal error: " + e + " (please report it)");
        }
        return JSON.writeValueAsBytes(reply);
    }

    private static Object invoke(Control control, String line) throws IOException {
        JsonNode request;
        try {
            request = JSON.readTree(line);
        } catch (IOException e) {
            throw new ControlException("a request is one JSON object per line: " + e.getMessage().lines().findFirst().orElse(""));
        }
        Method method = request == null ? null : METHODS.get(request.path("call").asText());
        JsonNode args = request == null ? null : request.get("args");
        if (method == null || args == null || !args.isArray() || args.size() != method.getParameterCount()) {
            throw new ControlException("a request is {\"call\": NAME, \"args\": [...]} with a call the daemon answers ("
                    + String.join(", ", METHODS.keySet().stream().sorted().toList()) + ")");
        }
        Object[] values = new Object[args.size()];
        for (int i = 0; i < values.length; i++) {
            try {
                values[i] = JSON.treeToValue(args.get(i), method.getParameterTypes()[i]);
            } catch (IOException e) {
                throw new ControlException("argument " + (i + 1) + " of " + method.getName() + " is not a " + method.getParameterTypes()[i].getSimpleName());
            }
        }
        try {
            return method.invoke(control, values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The result of a reply line, as the call's declared type; a refusal is thrown. */
    static Object result(Method method, String line) throws IOException {
        JsonNode reply = JSON.readTree(line);
        if (!reply.path("ok").asBoolean(false)) {
            throw new ControlException(reply.path("error").asText("the daemon gave no answer"));
        }
        JavaType type = JSON.getTypeFactory().constructType(method.getGenericReturnType());
        return JSON.treeToValue(reply.get("result"), type);
    }
}
