//! Key to slot: `crc16(hashtag(key)) & 16383`, exactly Redis Cluster's rule, so that keys
//! co-locate with `{tags}` the same way on corekv as on a Redis Cluster.

/// Number of slots.
pub const SLOTS: usize = 16384;

/// CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), as Redis Cluster uses.
///
/// Eight bytes at a time ("slicing by 8"): a 16-bit register only mixes into the first two
/// bytes of a block, so the block's eight table lookups are independent of each other, where
/// the byte-at-a-time loop waits for each lookup before the next. Every routed command hashes
/// its key here, so this is on the request path.
pub fn crc16(data: &[u8]) -> u16 {
    static TABLES: [[u16; 256]; 8] = build_tables();
    let t = &TABLES;
    let mut crc = 0u16;
    let mut blocks = data.chunks_exact(8);
    for b in &mut blocks {
        let hi = usize::from((crc >> 8) as u8 ^ b[0]);
        let lo = usize::from(crc as u8 ^ b[1]);
        crc = t[7][hi]
            ^ t[6][lo]
            ^ t[5][usize::from(b[2])]
            ^ t[4][usize::from(b[3])]
            ^ t[3][usize::from(b[4])]
            ^ t[2][usize::from(b[5])]
            ^ t[1][usize::from(b[6])]
            ^ t[0][usize::from(b[7])];
    }
    blocks.remainder().iter().fold(crc, |crc, &b| {
        (crc << 8) ^ t[0][usize::from(((crc >> 8) as u8) ^ b)]
    })
}

/// `tables[k][x]`: the CRC of byte `x` followed by `k` zero bytes.
const fn build_tables() -> [[u16; 256]; 8] {
    let mut tables = [[0u16; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut crc = (i as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
            bit += 1;
        }
        tables[0][i] = crc;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            // One more zero byte after the previous table's message.
            let prev = tables[k - 1][i];
            tables[k][i] = (prev << 8) ^ tables[0][(prev >> 8) as usize];
            i += 1;
        }
        k += 1;
    }
    tables
}

/// The part of the key that is hashed: the content of the first `{...}` if it is non-empty,
/// else the whole key.
pub fn hashtag(key: &[u8]) -> &[u8] {
    if let Some(open) = key.iter().position(|&b| b == b'{') {
        if let Some(len) = key[open + 1..].iter().position(|&b| b == b'}') {
            if len > 0 {
                return &key[open + 1..open + 1 + len];
            }
        }
    }
    key
}

/// The slot of a key.
pub fn key_slot(key: &[u8]) -> u16 {
    crc16(hashtag(key)) & (SLOTS as u16 - 1)
}

/// The shard that owns a slot when `shards` shards split the slots in contiguous ranges.
pub fn slot_shard(slot: u16, shards: usize) -> usize {
    usize::from(slot) * shards / SLOTS
}

/// The shard that owns a key.
pub fn key_shard(key: &[u8], shards: usize) -> usize {
    slot_shard(key_slot(key), shards)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_redis_cluster() {
        // Values from Redis Cluster (`CLUSTER KEYSLOT`).
        assert_eq!(crc16(b"123456789"), 0x31C3);
        assert_eq!(key_slot(b"foo"), 12182);
        assert_eq!(key_slot(b"bar"), 5061);
        assert_eq!(key_slot(b"{user1000}.following"), key_slot(b"user1000"));
        assert_eq!(key_slot(b"foo{}{bar}"), key_slot(b"foo{}{bar}"));
        assert_eq!(hashtag(b"foo{}{bar}"), b"foo{}{bar}");
        assert_eq!(hashtag(b"foo{{bar}}zap"), b"{bar");
        assert_eq!(hashtag(b"foo{bar}{zap}"), b"bar");
    }

    /// The textbook bit-by-bit CRC, to check the sliced tables against.
    fn crc16_bitwise(data: &[u8]) -> u16 {
        let mut crc = 0u16;
        for &b in data {
            crc ^= u16::from(b) << 8;
            for _ in 0..8 {
                crc = if crc & 0x8000 != 0 {
                    (crc << 1) ^ 0x1021
                } else {
                    crc << 1
                };
            }
        }
        crc
    }

    #[test]
    fn sliced_crc_matches_bitwise_at_every_length() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut data = Vec::new();
        for len in 0..200 {
            for _ in 0..20 {
                data.clear();
                for _ in 0..len {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    data.push(x as u8);
                }
                assert_eq!(crc16(&data), crc16_bitwise(&data), "{data:?}");
            }
        }
    }

    #[test]
    fn shards_split_slots_evenly() {
        assert_eq!(slot_shard(0, 2), 0);
        assert_eq!(slot_shard(8191, 2), 0);
        assert_eq!(slot_shard(8192, 2), 1);
        assert_eq!(slot_shard(16383, 2), 1);
        assert_eq!(slot_shard(16383, 1), 0);
    }
}
