//! Key to slot: `crc16(hashtag(key)) & 16383`, exactly Redis Cluster's rule, so that keys
//! co-locate with `{tags}` the same way on corekv as on a Redis Cluster.

/// Number of slots.
pub const SLOTS: usize = 16384;

/// CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), as Redis Cluster uses.
pub fn crc16(data: &[u8]) -> u16 {
    static TABLE: [u16; 256] = build_table();
    data.iter().fold(0u16, |crc, &b| {
        (crc << 8) ^ TABLE[usize::from(((crc >> 8) as u8) ^ b)]
    })
}

const fn build_table() -> [u16; 256] {
    let mut table = [0u16; 256];
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
        table[i] = crc;
        i += 1;
    }
    table
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

    #[test]
    fn shards_split_slots_evenly() {
        assert_eq!(slot_shard(0, 2), 0);
        assert_eq!(slot_shard(8191, 2), 0);
        assert_eq!(slot_shard(8192, 2), 1);
        assert_eq!(slot_shard(16383, 2), 1);
        assert_eq!(slot_shard(16383, 1), 0);
    }
}
