package dev.mailsync.common.problem;

import java.io.IOException;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * No string of a request body may contain NUL ({@code \u0000} in JSON): PostgreSQL refuses it in text, SMTP forbids
 * it in mail, and a folder name or subject carrying one would fail a query or an insert (500). Such a body is a
 * 400 problem naming the field ({@link ProblemMappers#unreadable}).
 */
@Singleton
public class NoNulInJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(new SimpleModule("no-nul-in-strings").addDeserializer(String.class, new Strings()));
    }

    private static final class Strings extends StringDeserializer {

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String value = super.deserialize(p, ctxt);
            if (value != null && value.indexOf('\0') >= 0) {
                throw InvalidFormatException.from(p, "NUL in a string", value, String.class);
            }
            return value;
        }
    }
}
