package io.parikshan.clone;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SharedFileLocksTest {

    @Test
    void readsHolderDeviceAndInodeAndSkipsWaiters() {
        SharedFileLocks.Lock l = SharedFileLocks.parse("1: FLOCK  ADVISORY  WRITE 812 fe:00:1311 0 EOF").orElseThrow();
        assertThat(l.pid()).isEqualTo(812);
        assertThat(l.kind()).isEqualTo("FLOCK");
        assertThat(l.major()).isEqualTo(0xfe);
        assertThat(l.minor()).isZero();
        assertThat(l.inode()).isEqualTo(1311);
        assertThat(SharedFileLocks.parse("1: -> FLOCK  ADVISORY  WRITE 813 fe:00:1311 0 EOF")).isEmpty();
        assertThat(SharedFileLocks.parse("garbage")).isEmpty();
    }

    @Test
    void splitsDeviceNumbersAsTheKernelDoes() {
        long dev = (254L << 8) | 1; // 254:1
        assertThat(SharedFileLocks.major(dev)).isEqualTo(254);
        assertThat(SharedFileLocks.minor(dev)).isEqualTo(1);
        long major = 0x1045;
        long minor = 0x3029a; // both beyond the old 8-bit fields
        long big = ((major & 0xfff) << 8) | ((major & ~0xfffL) << 32) | (minor & 0xff) | ((minor & ~0xffL) << 12);
        assertThat(SharedFileLocks.major(big)).isEqualTo(major);
        assertThat(SharedFileLocks.minor(big)).isEqualTo(minor);
    }
}
