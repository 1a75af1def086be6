package io.parikshan.cli;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads an HPROF file's top-level records (the format HotSpot writes, as heap-dump parsers read it):
 * the header, each LOAD CLASS record and the names of the loaded classes.
 */
record Hprof(String header, int classCount, Set<String> classNames) {

    private static final int UTF8 = 0x01;
    private static final int LOAD_CLASS = 0x02;

    static Hprof read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            StringBuilder header = new StringBuilder();
            for (int b; (b = in.readUnsignedByte()) != 0; ) {
                header.append((char) b);
            }
            int idSize = in.readInt();
            in.readLong(); // timestamp
            java.util.Map<Long, String> strings = new java.util.HashMap<>();
            Set<Long> classNameIds = new HashSet<>();
            int classes = 0;
            while (true) {
                int tag;
                try {
                    tag = in.readUnsignedByte();
                } catch (EOFException e) {
                    break;
                }
                in.readInt(); // time
                long length = Integer.toUnsignedLong(in.readInt());
                if (tag == UTF8) {
                    long id = readId(in, idSize);
                    byte[] s = new byte[(int) (length - idSize)];
                    in.readFully(s);
                    strings.put(id, new String(s, StandardCharsets.UTF_8));
                } else if (tag == LOAD_CLASS) {
                    in.readInt(); // class serial
                    readId(in, idSize); // class object id
                    in.readInt(); // stack trace serial
                    classNameIds.add(readId(in, idSize));
                    classes++;
                } else {
                    in.skipNBytes(length);
                }
            }
            Set<String> names = new HashSet<>();
            for (long id : classNameIds) {
                names.add(strings.getOrDefault(id, "?").replace('/', '.'));
            }
            return new Hprof(header.toString(), classes, names);
        }
    }

    private static long readId(DataInputStream in, int size) throws IOException {
        return size == 8 ? in.readLong() : Integer.toUnsignedLong(in.readInt());
    }
}
