package dev.mailsync.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class GraphMeTest {

    static final String OID = "00000000-0000-0000-0000-0000000000aa";

    @Test
    void shouldPreferMailThenTheUserPrincipalName() {
        assertThat(GraphMe.parse("{\"id\":\"" + OID + "\",\"displayName\":\" Adele Vance \","
                + "\"mail\":\"AdeleV@contoso.example\",\"userPrincipalName\":\"adele@contoso.onmicrosoft.example\"}", OID))
                .isEqualTo(new GraphMe(Optional.of("Adele Vance"), Optional.of("AdeleV@contoso.example")));
        assertThat(GraphMe.parse("{\"id\":\"" + OID + "\",\"displayName\":null,\"mail\":null,"
                + "\"userPrincipalName\":\"adele@contoso.onmicrosoft.example\"}", OID))
                .isEqualTo(new GraphMe(Optional.empty(), Optional.of("adele@contoso.onmicrosoft.example")));
    }

    @Test
    void shouldIgnoreWhatIsNotAUsableNameOrAddress() {
        assertThat(GraphMe.parse("{\"id\":\"" + OID + "\",\"displayName\":\"   \",\"mail\":\"not an address\","
                + "\"userPrincipalName\":[\"a@b.example\"]}", OID))
                .isEqualTo(new GraphMe(Optional.empty(), Optional.empty()));
        assertThat(GraphMe.parse("{\"id\":\"" + OID + "\",\"displayName\":\"" + "x".repeat(257) + "\","
                + "\"mail\":\"a@b.example>\"}", OID))
                .isEqualTo(new GraphMe(Optional.empty(), Optional.empty()));
    }

    @Test
    void shouldRefuseAnAnswerAboutAnotherAccountOrNotJson() {
        assertThatThrownBy(() -> GraphMe.parse("{\"id\":\"someone-else\",\"mail\":\"a@b.example\"}", OID))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GraphMe.parse("{\"mail\":\"a@b.example\"}", OID))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GraphMe.parse("[]", OID)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GraphMe.parse("<html>", OID)).isInstanceOf(IllegalArgumentException.class);
    }
}
