package io.parikshan.clone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloneRecordTest {

    @Test
    void aWrittenRecordReadsBackAndAMissingOrBrokenOneIsNone(@TempDir Path root) throws Exception {
        CloneNames names = new CloneNames("web-clone-1", root);
        assertThat(CloneRecord.read(names)).isEmpty();
        Files.createDirectories(names.stateDir());
        CloneRecord r = new CloneRecord("web-clone-1", "web", "abc123", 1_700_000_000L, "172.18.255.254",
                "parikshan-sbx-web-clone-1", List.of("127.0.0.1:40001 -> 8080/tcp"));
        r.write(names);
        assertThat(CloneRecord.read(names)).contains(r);
        Files.writeString(names.recordFile(), "{not json");
        assertThat(CloneRecord.read(names)).isEmpty();
    }
}
