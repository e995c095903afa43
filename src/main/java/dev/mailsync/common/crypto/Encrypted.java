package dev.mailsync.common.crypto;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** JPA converter that stores a string column encrypted with {@link SecretCipher}. */
@ApplicationScoped
@Converter
public class Encrypted implements AttributeConverter<String, String> {

    private final SecretCipher cipher;

    public Encrypted(SecretCipher cipher) {
        this.cipher = cipher;
    }

    @Override
    public String convertToDatabaseColumn(String plaintext) {
        return cipher.encrypt(plaintext);
    }

    @Override
    public String convertToEntityAttribute(String ciphertext) {
        return cipher.decrypt(ciphertext);
    }
}
