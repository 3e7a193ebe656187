package org.flocksy.app.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

/** Answers as JSON for scripts ({@code flocksy ctl --json}): the facade's records, with the names the socket uses. */
final class Json {
    private static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {}

    static void print(Session session, Object answer) throws JsonProcessingException {
        session.out().println(JSON.writeValueAsString(answer));
        session.out().flush();
    }
}
