package io.parikshan.agent.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** This host's files, through java.nio (a container's through {@code /proc/<pid>/root}). */
final class LocalHostFiles implements HostFiles {

    static final LocalHostFiles INSTANCE = new LocalHostFiles();

    private LocalHostFiles() {
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public Optional<String> read(Path path) throws IOException {
        return Files.isRegularFile(path) ? Optional.of(Files.readString(path, StandardCharsets.UTF_8)) : Optional.empty();
    }

    @Override
    public String readEach(Path dir, String glob) throws IOException {
        StringBuilder b = new StringBuilder();
        if (Files.isDirectory(dir)) {
            try (java.nio.file.DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
                for (Path f : files) {
                    b.append(Files.readString(f, StandardCharsets.UTF_8));
                }
            }
        }
        return b.toString();
    }

    @Override
    public void write(Path path, String text) throws IOException {
        Files.writeString(path, text, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void copyIn(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        if (Files.isRegularFile(to) && Files.size(to) == Files.size(from)
                && Arrays.equals(Files.readAllBytes(to), Files.readAllBytes(from))) {
            return;
        }
        Path tmp = to.resolveSibling("." + to.getFileName() + ".tmp");
        Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void copyOut(Path from, Path to) throws IOException {
        Path tmp = to.resolveSibling("." + to.getFileName() + ".part");
        Files.deleteIfExists(tmp);
        try (InputStream in = Files.newInputStream(from);
             OutputStream o = Files.newOutputStream(Files.createFile(tmp,
                     PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                     StandardOpenOption.WRITE)) {
            in.transferTo(o);
        }
        Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE);
        Files.deleteIfExists(from);
    }

    @Override
    public void delete(Path path) throws IOException {
        Files.deleteIfExists(path);
    }

    @Override
    public void prepareDirs(Path ownerOf, List<Path> dirs, Path ownerOnly) throws IOException {
        Object uid = Files.getAttribute(ownerOf, "unix:uid");
        Object gid = Files.getAttribute(ownerOf, "unix:gid");
        for (Path d : dirs) {
            Files.createDirectories(d);
            if (!uid.equals(Files.getAttribute(d, "unix:uid"))) {
                Files.setAttribute(d, "unix:uid", uid);
                Files.setAttribute(d, "unix:gid", gid);
            }
            if (d.equals(ownerOnly)) {
                Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
            }
        }
    }

    @Override
    public FileTail tail(Path path, long maxMillis) {
        return new FileTail() {
            private long offset;

            @Override
            public String poll() throws IOException {
                if (!Files.exists(path)) {
                    return "";
                }
                try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "r")) {
                    if (f.length() <= offset) {
                        return "";
                    }
                    f.seek(offset);
                    byte[] b = new byte[(int) Math.min(f.length() - offset, 1 << 20)];
                    f.readFully(b);
                    offset += b.length;
                    return new String(b, StandardCharsets.UTF_8);
                }
            }

            @Override
            public void close() {
            }
        };
    }
}
