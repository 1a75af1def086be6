package io.parikshan.dsl;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamePatternTest {

    @Test
    void starAndQuestionMarkAreWildcardsAndDotsAreLiteral() {
        NamePattern p = new NamePattern("a.b?.*Handler");
        assertThat(p.matches("a.bc.GreetingHandler")).isTrue();
        assertThat(p.matches("a.bc.x.y.Handler")).isTrue();
        assertThat(p.matches("aXbc.Handler")).isFalse();
        assertThat(p.matches("a.b.Handler")).isFalse();
    }

    @Test
    void regexMetacharactersInNamesAreLiteral() {
        assertThat(new NamePattern("Outer$Inner").matches("Outer$Inner")).isTrue();
        assertThat(new NamePattern("a+b").matches("aab")).isFalse();
    }

    @Test
    void blankPatternIsRejected() {
        assertThatThrownBy(() -> new NamePattern(" ")).hasMessageContaining("blank");
    }
}
