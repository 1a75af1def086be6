package io.parikshan.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What a class patch may change in place (bodies) and what it may not (fields, methods, hierarchy). */
class ClassShapeTest {

    @TempDir
    Path dir;

    private byte[] compile(String name, String source) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        Path src = d.resolve("Store.java");
        Files.writeString(src, source);
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", d.toString(), src.toString())).isZero();
        return Files.readAllBytes(d.resolve("Store.class"));
    }

    @Test
    void a_changed_body_keeps_the_shape_and_a_new_field_or_method_does_not() throws Exception {
        ClassShape before = ClassShape.of(compile("a", "class Store { int n; static String key(String k) { return k.toLowerCase(); } }"));
        ClassShape body = ClassShape.of(compile("b", "class Store { int n; static String key(String k) { return k; } }"));
        ClassShape field = ClassShape.of(compile("c", "class Store { int n; private long hits; static String key(String k) { return k; } }"));
        ClassShape signature = ClassShape.of(compile("d", "class Store { int n; static String key(Object k) { return \"\"; } }"));
        assertThat(before.name()).isEqualTo("Store");
        assertThat(before.changesIn(body)).isEmpty();
        assertThat(before.changesIn(field)).containsExactly("adds field private long hits");
        assertThat(before.changesIn(signature)).containsExactly("adds method static java.lang.String key(java.lang.Object)",
                "removes method static java.lang.String key(java.lang.String)");
    }
}
