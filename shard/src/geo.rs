//! The geo commands: GEOADD, GEODIST, GEOHASH, GEOPOS, GEOSEARCH, GEOSEARCHSTORE, GEORADIUS,
//! GEORADIUS_RO, GEORADIUSBYMEMBER and GEORADIUSBYMEMBER_RO.
//!
//! A geo index is a sorted set ([`crate::zsets::ZSet`]) whose scores are 52-bit geohashes:
//! longitude and latitude (latitude limited to +-85.05112878, as in Web Mercator) are each
//! scaled to 26 bits and interleaved, latitude on the even bits. A search works as Redis's
//! does, so results (and their order) match it: the shape's radius picks a geohash precision,
//! the centre's cell and its eight neighbours (minus the ones the bounding box makes useless)
//! give nine score ranges, and every member in them is checked against the exact shape with
//! the haversine distance on a sphere of radius 6372797.560856 m.
//!
//! The STORE forms (GEORADIUS* STORE/STOREDIST, GEOSEARCHSTORE) may name a key on another
//! shard; they are gathered by the server (`CoordCmd::Gather`).

use corekv_proto::RespWriter;

use crate::args;
use crate::cmd::{def, keys, Acl, CommandDef, Flags, Keys};
use crate::cmd::{gather, single};
use crate::db::Db;
use crate::error::{OpError, OpResult};
use crate::shard::{Cx, Shard};
use crate::value::Value;
use crate::zsets::num::{parse_score, ScoreRange};
use crate::zsets::{item_bytes, ZSet};

pub const GEO_LONG_MIN: f64 = -180.0;
pub const GEO_LONG_MAX: f64 = 180.0;
pub const GEO_LAT_MIN: f64 = -85.051_128_78;
pub const GEO_LAT_MAX: f64 = 85.051_128_78;
const STEP_MAX: u8 = 26;
const EARTH_RADIUS: f64 = 6_372_797.560_856;
const MERCATOR_MAX: f64 = 20_037_726.37;
const D_R: f64 = std::f64::consts::PI / 180.0;

pub const UNIT_ERR: &str = "ERR unsupported unit provided. please use M, KM, FT, MI";
pub const NEED_RADIUS: &str = "ERR need numeric radius";
pub const RADIUS_NEGATIVE: &str = "ERR radius cannot be negative";
pub const NEED_WIDTH: &str = "ERR need numeric width";
pub const NEED_HEIGHT: &str = "ERR need numeric height";
pub const BOX_NEGATIVE: &str = "ERR height or width cannot be negative";
pub const COUNT_POSITIVE: &str = "ERR COUNT must be > 0";
pub const ANY_NEEDS_COUNT: &str = "ERR the ANY argument requires COUNT argument";
pub const BAD_MEMBER: &str = "ERR could not decode requested zset member";

const W: Flags = Flags::WRITE;
const R: Flags = Flags::READONLY;
const G: Acl = Acl::GEO;

const SEARCH_COMPLEXITY: &str = "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape";
const RADIUS_COMPLEXITY: &str = "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.";

pub static COMMANDS: [CommandDef; 10] = [
    def(
        "geoadd",
        -5,
        W.or(Flags::DENYOOM),
        G,
        keys(1, 1, 1),
        single(geoadd),
        "geo",
        "3.2.0",
        "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
        "Adds places (longitude, latitude, name) to a geo index kept in a sorted set.",
    ),
    def(
        "geodist",
        -4,
        R,
        G,
        keys(1, 1, 1),
        single(geodist),
        "geo",
        "3.2.0",
        "O(log(N))",
        "Replies with the distance between two places of a geo index.",
    ),
    def(
        "geohash",
        -2,
        R,
        G,
        keys(1, 1, 1),
        single(geohash),
        "geo",
        "3.2.0",
        "O(log(N)) for each member requested, where N is the number of elements in the sorted set.",
        "Replies with the standard 11-character geohash strings of places.",
    ),
    def(
        "geopos",
        -2,
        R,
        G,
        keys(1, 1, 1),
        single(geopos),
        "geo",
        "3.2.0",
        "O(N) where N is the number of members requested.",
        "Replies with the longitude and latitude of places.",
    ),
    def(
        "geosearch",
        -7,
        R,
        G,
        keys(1, 1, 1),
        single(geosearch),
        "geo",
        "6.2.0",
        SEARCH_COMPLEXITY,
        "Finds the places inside a circle or a box around a point or a member.",
    ),
    def(
        "geosearchstore",
        -8,
        W.or(Flags::DENYOOM),
        G,
        keys(1, 2, 1),
        gather(geosearchstore),
        "geo",
        "6.2.0",
        SEARCH_COMPLEXITY,
        "Finds the places inside a circle or a box and stores them in a sorted set.",
    ),
    def(
        "georadius",
        -6,
        W.or(Flags::DENYOOM).or(Flags::MOVABLEKEYS),
        G,
        Keys::Custom {
            first: 1,
            last: 1,
            step: 1,
            find: georadius_keys,
        },
        gather(georadius),
        "geo",
        "3.2.0",
        RADIUS_COMPLEXITY,
        "Finds the places within a radius of a point, optionally storing them.",
    ),
    def(
        "georadius_ro",
        -6,
        R,
        G,
        keys(1, 1, 1),
        single(georadius_ro),
        "geo",
        "3.2.10",
        RADIUS_COMPLEXITY,
        "Finds the places within a radius of a point.",
    ),
    def(
        "georadiusbymember",
        -5,
        W.or(Flags::DENYOOM).or(Flags::MOVABLEKEYS),
        G,
        Keys::Custom {
            first: 1,
            last: 1,
            step: 1,
            find: georadiusbymember_keys,
        },
        gather(georadiusbymember),
        "geo",
        "3.2.0",
        RADIUS_COMPLEXITY,
        "Finds the places within a radius of a member, optionally storing them.",
    ),
    def(
        "georadiusbymember_ro",
        -5,
        R,
        G,
        keys(1, 1, 1),
        single(georadiusbymember_ro),
        "geo",
        "3.2.10",
        RADIUS_COMPLEXITY,
        "Finds the places within a radius of a member.",
    ),
];

/// The source key, plus the last STORE/STOREDIST key after the fixed arguments.
fn store_keys(a: &[&[u8]], from: usize) -> Vec<usize> {
    let mut out = vec![1];
    let mut stored = None;
    let mut i = from;
    while i < a.len() {
        if (args::is(a[i], "store") || args::is(a[i], "storedist")) && i + 1 < a.len() {
            stored = Some(i + 1);
            i += 1;
        }
        i += 1;
    }
    out.extend(stored);
    out
}

fn georadius_keys(a: &[&[u8]]) -> Vec<usize> {
    store_keys(a, 5)
}

fn georadiusbymember_keys(a: &[&[u8]]) -> Vec<usize> {
    store_keys(a, 4)
}

// ----- geohash arithmetic -----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hash {
    bits: u64,
    step: u8,
}

#[derive(Debug, Clone, Copy, Default)]
struct Area {
    lon_min: f64,
    lon_max: f64,
    lat_min: f64,
    lat_max: f64,
}

/// Spreads the low 32 bits of `x` to the even bit positions.
fn spread(v: u32) -> u64 {
    let mut x = u64::from(v);
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    x = (x | (x << 1)) & 0x5555_5555_5555_5555;
    x
}

/// Gathers the even bit positions of `x` into the low 32 bits.
fn squash(v: u64) -> u32 {
    let mut x = v & 0x5555_5555_5555_5555;
    x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
    x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x >> 16)) & 0x0000_0000_FFFF_FFFF;
    x as u32
}

/// Encodes a position at `step` bits per coordinate, latitude ranging over `lat_range`.
fn encode(lon: f64, lat: f64, step: u8, lat_range: (f64, f64)) -> Option<Hash> {
    if !(GEO_LONG_MIN..=GEO_LONG_MAX).contains(&lon) || !(GEO_LAT_MIN..=GEO_LAT_MAX).contains(&lat)
    {
        return None;
    }
    let lat_off = (lat - lat_range.0) / (lat_range.1 - lat_range.0) * (1u64 << step) as f64;
    let lon_off = (lon - GEO_LONG_MIN) / (GEO_LONG_MAX - GEO_LONG_MIN) * (1u64 << step) as f64;
    // C converts the doubles to uint32_t (truncation).
    let bits = spread(lat_off as u32) | (spread(lon_off as u32) << 1);
    Some(Hash { bits, step })
}

fn encode_wgs84(lon: f64, lat: f64, step: u8) -> Option<Hash> {
    encode(lon, lat, step, (GEO_LAT_MIN, GEO_LAT_MAX))
}

fn decode(h: Hash) -> Area {
    let lat_scale = GEO_LAT_MAX - GEO_LAT_MIN;
    let lon_scale = GEO_LONG_MAX - GEO_LONG_MIN;
    let ilat = squash(h.bits);
    let ilon = squash(h.bits >> 1);
    let div = (1u64 << h.step) as f64;
    Area {
        lat_min: GEO_LAT_MIN + (f64::from(ilat) / div) * lat_scale,
        lat_max: GEO_LAT_MIN + ((f64::from(ilat) + 1.0) / div) * lat_scale,
        lon_min: GEO_LONG_MIN + (f64::from(ilon) / div) * lon_scale,
        lon_max: GEO_LONG_MIN + ((f64::from(ilon) + 1.0) / div) * lon_scale,
    }
}

/// The position a 52-bit score stands for (the centre of its cell).
pub fn decode_score(score: f64) -> [f64; 2] {
    let a = decode(Hash {
        bits: score as u64,
        step: STEP_MAX,
    });
    let lon = ((a.lon_min + a.lon_max) / 2.0).clamp(GEO_LONG_MIN, GEO_LONG_MAX);
    let lat = ((a.lat_min + a.lat_max) / 2.0).clamp(GEO_LAT_MIN, GEO_LAT_MAX);
    [lon, lat]
}

/// The 52-bit score of a position (the caller checked its range).
pub fn encode_score(lon: f64, lat: f64) -> f64 {
    encode_wgs84(lon, lat, STEP_MAX).map_or(0, align52) as f64
}

fn align52(h: Hash) -> u64 {
    h.bits << (52 - u32::from(h.step) * 2)
}

fn move_x(h: &mut Hash, d: i8) {
    if d == 0 {
        return;
    }
    let shift = 64 - u32::from(h.step) * 2;
    let mut x = h.bits & 0xAAAA_AAAA_AAAA_AAAA;
    let y = h.bits & 0x5555_5555_5555_5555;
    let zz = 0x5555_5555_5555_5555u64 >> shift;
    if d > 0 {
        x = x.wrapping_add(zz + 1);
    } else {
        x |= zz;
        x = x.wrapping_sub(zz + 1);
    }
    x &= 0xAAAA_AAAA_AAAA_AAAAu64 >> shift;
    h.bits = x | y;
}

fn move_y(h: &mut Hash, d: i8) {
    if d == 0 {
        return;
    }
    let shift = 64 - u32::from(h.step) * 2;
    let x = h.bits & 0xAAAA_AAAA_AAAA_AAAA;
    let mut y = h.bits & 0x5555_5555_5555_5555;
    let zz = 0xAAAA_AAAA_AAAA_AAAAu64 >> shift;
    if d > 0 {
        y = y.wrapping_add(zz + 1);
    } else {
        y |= zz;
        y = y.wrapping_sub(zz + 1);
    }
    y &= 0x5555_5555_5555_5555u64 >> shift;
    h.bits = x | y;
}

fn neighbor(h: Hash, dx: i8, dy: i8) -> Hash {
    let mut n = h;
    move_x(&mut n, dx);
    move_y(&mut n, dy);
    n
}

fn deg_rad(d: f64) -> f64 {
    d * D_R
}

fn rad_deg(r: f64) -> f64 {
    r / D_R
}

fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS * (deg_rad(lat2) - deg_rad(lat1)).abs()
}

/// Haversine distance in meters between two (longitude, latitude) points.
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let lon1r = deg_rad(lon1);
    let lon2r = deg_rad(lon2);
    let v = ((lon2r - lon1r) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let lat1r = deg_rad(lat1);
    let lat2r = deg_rad(lat2);
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS * a.sqrt().asin()
}

fn steps_by_radius(range: f64, lat: f64) -> u8 {
    if range == 0.0 {
        return 26;
    }
    let mut range = range;
    let mut step: i32 = 1;
    while range < MERCATOR_MAX {
        range *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, 26) as u8
}

#[derive(Debug, Clone, Copy)]
enum ShapeKind {
    Circle(f64),
    /// Width and height.
    Rect(f64, f64),
}

#[derive(Debug, Clone, Copy)]
struct Shape {
    xy: [f64; 2],
    conversion: f64,
    kind: ShapeKind,
}

impl Shape {
    /// min lon, min lat, max lon, max lat.
    fn bounds(&self) -> [f64; 4] {
        let [lon, lat] = self.xy;
        let (h, w) = match self.kind {
            ShapeKind::Circle(r) => (r, r),
            ShapeKind::Rect(w, h) => (h / 2.0, w / 2.0),
        };
        let height = self.conversion * h;
        let width = self.conversion * w;
        let lat_delta = rad_deg(height / EARTH_RADIUS);
        let top = rad_deg(width / EARTH_RADIUS / deg_rad(lat + lat_delta).cos());
        let bottom = rad_deg(width / EARTH_RADIUS / deg_rad(lat - lat_delta).cos());
        let south = lat < 0.0;
        [
            if south { lon - bottom } else { lon - top },
            lat - lat_delta,
            if south { lon + bottom } else { lon + top },
            lat + lat_delta,
        ]
    }

    /// The nine cells to search (centre first; `None` for excluded neighbours).
    fn areas(&self) -> [Option<Hash>; 9] {
        let b = self.bounds();
        let (min_lon, min_lat, max_lon, max_lat) = (b[0], b[1], b[2], b[3]);
        let [lon, lat] = self.xy;
        let radius = match self.kind {
            ShapeKind::Circle(r) => r,
            ShapeKind::Rect(w, h) => ((w / 2.0) * (w / 2.0) + (h / 2.0) * (h / 2.0)).sqrt(),
        } * self.conversion;
        let mut steps = steps_by_radius(radius, lat);
        let zero = Hash { bits: 0, step: 0 };
        let mut hash = encode_wgs84(lon, lat, steps).unwrap_or(zero);
        let around = |h: Hash| -> [Hash; 8] {
            // north, south, east, west, north-east, north-west, south-east, south-west
            [
                neighbor(h, 0, 1),
                neighbor(h, 0, -1),
                neighbor(h, 1, 0),
                neighbor(h, -1, 0),
                neighbor(h, 1, 1),
                neighbor(h, -1, 1),
                neighbor(h, 1, -1),
                neighbor(h, -1, -1),
            ]
        };
        let mut n = around(hash);
        let mut area = decode(hash);
        let (north, south, east, west) = (decode(n[0]), decode(n[1]), decode(n[2]), decode(n[3]));
        let decrease = north.lat_max < max_lat
            || south.lat_min > min_lat
            || east.lon_max < max_lon
            || west.lon_min > min_lon;
        if steps > 1 && decrease {
            steps -= 1;
            hash = encode_wgs84(lon, lat, steps).unwrap_or(zero);
            n = around(hash);
            area = decode(hash);
        }
        let mut out: [Option<Hash>; 9] = [
            Some(hash),
            Some(n[0]),
            Some(n[1]),
            Some(n[2]),
            Some(n[3]),
            Some(n[4]),
            Some(n[5]),
            Some(n[6]),
            Some(n[7]),
        ];
        if steps >= 2 {
            // Indices: 1 N, 2 S, 3 E, 4 W, 5 NE, 6 NW, 7 SE, 8 SW.
            if area.lat_min < min_lat {
                out[2] = None;
                out[8] = None;
                out[7] = None;
            }
            if area.lat_max > max_lat {
                out[1] = None;
                out[5] = None;
                out[6] = None;
            }
            if area.lon_min < min_lon {
                out[4] = None;
                out[8] = None;
                out[6] = None;
            }
            if area.lon_max > max_lon {
                out[3] = None;
                out[7] = None;
                out[5] = None;
            }
        }
        out
    }

    /// The distance from the centre if the point is inside the shape.
    fn contains(&self, xy: [f64; 2]) -> Option<f64> {
        let [x1, y1] = self.xy;
        let [x2, y2] = xy;
        match self.kind {
            ShapeKind::Circle(r) => {
                let d = distance(x1, y1, x2, y2);
                (d <= r * self.conversion).then_some(d)
            }
            ShapeKind::Rect(w, h) => {
                let (wm, hm) = (w * self.conversion, h * self.conversion);
                if lat_distance(y2, y1) > hm / 2.0 {
                    return None;
                }
                if distance(x2, y2, x1, y2) > wm / 2.0 {
                    return None;
                }
                Some(distance(x1, y1, x2, y2))
            }
        }
    }
}

struct Point {
    member: Vec<u8>,
    dist: f64,
    score: f64,
    xy: [f64; 2],
}

fn points_in_box(z: &ZSet, h: Hash, shape: &Shape, out: &mut Vec<Point>, limit: usize) {
    let min = align52(h);
    let max = align52(Hash {
        bits: h.bits + 1,
        step: h.step,
    });
    let range = ScoreRange {
        min: min as f64,
        max: max as f64,
        minex: false,
        maxex: true,
    };
    for (m, score) in z.range_by_score(&range) {
        let xy = decode_score(score);
        if let Some(d) = shape.contains(xy) {
            out.push(Point {
                member: item_bytes(m).into_owned(),
                dist: d,
                score,
                xy,
            });
        }
        if limit > 0 && out.len() >= limit {
            break;
        }
    }
}

fn find_points(z: &ZSet, shape: &Shape, limit: usize) -> Vec<Point> {
    let areas = shape.areas();
    let mut out = Vec::new();
    let mut last: Option<usize> = None;
    for (i, a) in areas.iter().enumerate() {
        let Some(h) = *a else { continue };
        if h.bits == 0 && h.step == 0 {
            continue;
        }
        // Redis compares with the previously processed cell, but never with the centre
        // (its "last processed" index 0 doubles as "none").
        if let Some(l) = last.filter(|&l| l != 0) {
            if areas[l] == Some(h) {
                continue;
            }
        }
        if limit > 0 && out.len() >= limit {
            break;
        }
        points_in_box(z, h, shape, &mut out, limit);
        last = Some(i);
    }
    out
}

// ----- replies -----

/// A distance with four decimals, as Redis's `fixedpoint_d2string(.., 4)`.
pub fn fmt_distance(d: f64) -> String {
    if d == 0.0 {
        return "0.0000".to_string();
    }
    let v = (d * 10000.0).round_ties_even() as i64;
    let neg = v < 0;
    let u = v.unsigned_abs();
    format!(
        "{}{}.{:04}",
        if neg { "-" } else { "" },
        u / 10000,
        u % 10000
    )
}

/// A coordinate as Redis's `addReplyHumanLongDouble`: `%.17Lf` with trailing zeros (and a
/// trailing dot) removed; a bulk string in RESP2, a double in RESP3.
fn write_coord(out: &mut RespWriter, v: f64) {
    let mut s = format!("{v:.17}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".to_string();
    }
    if out.is_resp3() {
        out.raw(b",");
        out.raw(s.as_bytes());
        out.raw(b"\r\n");
    } else {
        out.bulk(s.as_bytes());
    }
}

fn zset_of(v: &Value) -> Result<&ZSet, OpError> {
    match v {
        Value::ZSet(z) => Ok(z),
        _ => Err(OpError::WrongType),
    }
}

/// Read lookup with a type check.
fn read<'a>(db: &'a mut Db, key: &[u8], now: i64) -> Result<Option<&'a ZSet>, OpError> {
    match db.get(key, now) {
        None => Ok(None),
        Some(e) => zset_of(&e.value).map(Some),
    }
}

/// Longitude and latitude arguments, range-checked.
fn lon_lat(lon: &[u8], lat: &[u8]) -> Result<[f64; 2], OpError> {
    let x = parse_score(lon).ok_or(OpError::NotFloat)?;
    let y = parse_score(lat).ok_or(OpError::NotFloat)?;
    if !(GEO_LONG_MIN..=GEO_LONG_MAX).contains(&x) || !(GEO_LAT_MIN..=GEO_LAT_MAX).contains(&y) {
        return Err(OpError::msg(format!(
            "ERR invalid longitude,latitude pair {x:.6},{y:.6}"
        )));
    }
    Ok([x, y])
}

fn unit(arg: &[u8]) -> Result<f64, OpError> {
    if args::is(arg, "m") {
        Ok(1.0)
    } else if args::is(arg, "km") {
        Ok(1000.0)
    } else if args::is(arg, "ft") {
        Ok(0.3048)
    } else if args::is(arg, "mi") {
        Ok(1609.34)
    } else {
        Err(OpError::msg(UNIT_ERR))
    }
}

/// `radius unit` -> (radius, conversion).
fn radius_arg(r: &[u8], u: &[u8]) -> Result<(f64, f64), OpError> {
    let d = parse_score(r).ok_or(OpError::msg(NEED_RADIUS))?;
    if d < 0.0 {
        return Err(OpError::msg(RADIUS_NEGATIVE));
    }
    Ok((d, unit(u)?))
}

// ----- commands -----

/// `GEOADD key [NX|XX] [CH] longitude latitude member [...]`
pub fn geoadd(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let mut i = 2;
    let (mut nx, mut xx) = (false, false);
    while i < a.len() {
        if args::is(a[i], "nx") {
            nx = true;
        } else if args::is(a[i], "xx") {
            xx = true;
        } else if !args::is(a[i], "ch") {
            break;
        }
        i += 1;
    }
    if !(a.len() - i).is_multiple_of(3) || (xx && nx) {
        return Err(OpError::Syntax);
    }
    let mut scores: Vec<String> = Vec::with_capacity((a.len() - i) / 3);
    for t in a[i..].chunks(3) {
        let [x, y] = lon_lat(t[0], t[1])?;
        scores.push((encode_score(x, y) as u64).to_string());
    }
    let mut zargs: Vec<&[u8]> = Vec::with_capacity(i + scores.len() * 2);
    zargs.push(b"zadd");
    zargs.extend_from_slice(&a[1..i]);
    for (t, s) in a[i..].chunks(3).zip(&scores) {
        zargs.push(s.as_bytes());
        zargs.push(t[2]);
    }
    crate::zsets::zadd(sh, cx, &zargs)
}

/// `GEODIST key member1 member2 [M|KM|FT|MI]`
pub fn geodist(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let to_meter = match a.len() {
        5 => unit(a[4])?,
        n if n > 5 => return Err(OpError::Syntax),
        _ => 1.0,
    };
    let Some(z) = read(sh.db(cx.db), a[1], cx.now_ms)? else {
        cx.out.null();
        return Ok(());
    };
    match (z.score(a[2]), z.score(a[3])) {
        (Some(s1), Some(s2)) => {
            let [x1, y1] = decode_score(s1);
            let [x2, y2] = decode_score(s2);
            let d = distance(x1, y1, x2, y2) / to_meter;
            cx.out.bulk(fmt_distance(d).as_bytes());
        }
        _ => cx.out.null(),
    }
    Ok(())
}

/// `GEOHASH key [member ...]`
pub fn geohash(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let z = read(sh.db(cx.db), a[1], cx.now_ms)?;
    cx.out.array(a.len() - 2);
    for m in &a[2..] {
        let Some(score) = z.and_then(|z| z.score(m)) else {
            cx.out.null();
            continue;
        };
        let [x, y] = decode_score(score);
        let Some(h) = encode(x, y, 26, (-90.0, 90.0)) else {
            cx.out.null();
            continue;
        };
        let mut buf = [0u8; 11];
        for (i, b) in buf.iter_mut().enumerate() {
            let idx = if i == 10 {
                0
            } else {
                ((h.bits >> (52 - (i + 1) * 5)) & 0x1f) as usize
            };
            *b = ALPHABET[idx];
        }
        cx.out.bulk(&buf);
    }
    Ok(())
}

/// `GEOPOS key [member ...]`
pub fn geopos(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let z = read(sh.db(cx.db), a[1], cx.now_ms)?;
    cx.out.array(a.len() - 2);
    for m in &a[2..] {
        match z.and_then(|z| z.score(m)) {
            Some(score) => {
                let [x, y] = decode_score(score);
                cx.out.array(2);
                write_coord(cx.out, x);
                write_coord(cx.out, y);
            }
            None => cx.out.null_array(),
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Radius,
    RadiusRo,
    ByMember,
    ByMemberRo,
    Search,
    SearchStore,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    None,
    Asc,
    Desc,
}

fn radius_generic(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]], v: Variant) -> OpResult {
    let src = if v == Variant::SearchStore {
        a[2]
    } else {
        a[1]
    };
    let now = cx.now_ms;
    // Type check first (Redis looks the source up before parsing anything else).
    let exists = read(sh.db(cx.db), src, now)?.is_some();
    let db: &Db = sh.db(cx.db);
    let z: Option<&ZSet> = match db.peek(src, now).map(|e| &e.value) {
        Some(Value::ZSet(z)) if exists => Some(z),
        _ => None,
    };
    let nostore = matches!(v, Variant::RadiusRo | Variant::ByMemberRo);
    let search = matches!(v, Variant::Search | Variant::SearchStore);
    let mut shape = Shape {
        xy: [0.0, 0.0],
        conversion: 1.0,
        kind: ShapeKind::Circle(0.0),
    };
    let mut storekey: Option<&[u8]> = None;
    let mut storedist = false;
    let base = match v {
        Variant::Radius | Variant::RadiusRo => {
            shape.xy = lon_lat(a[2], a[3])?;
            let (r, c) = radius_arg(a[4], a[5])?;
            shape.kind = ShapeKind::Circle(r);
            shape.conversion = c;
            6
        }
        Variant::ByMember | Variant::ByMemberRo => {
            if let Some(z) = z {
                let s = z.score(a[2]).ok_or(OpError::msg(BAD_MEMBER))?;
                shape.xy = decode_score(s);
                let (r, c) = radius_arg(a[3], a[4])?;
                shape.kind = ShapeKind::Circle(r);
                shape.conversion = c;
            }
            5
        }
        Variant::Search => 2,
        Variant::SearchStore => {
            storekey = Some(a[1]);
            3
        }
    };
    let (mut withdist, mut withhash, mut withcoord) = (false, false, false);
    let (mut frommember, mut fromloc, mut byradius, mut bybox) = (false, false, false, false);
    let mut sort = Sort::None;
    let mut any = false;
    let mut count: i64 = 0;
    let rest = &a[base.min(a.len())..];
    let mut i = 0;
    while i < rest.len() {
        let arg = rest[i];
        let left = rest.len() - i - 1;
        if args::is(arg, "withdist") {
            withdist = true;
        } else if args::is(arg, "withhash") {
            withhash = true;
        } else if args::is(arg, "withcoord") {
            withcoord = true;
        } else if args::is(arg, "any") {
            any = true;
        } else if args::is(arg, "asc") {
            sort = Sort::Asc;
        } else if args::is(arg, "desc") {
            sort = Sort::Desc;
        } else if args::is(arg, "count") && left >= 1 {
            count = args::int(rest[i + 1])?;
            if count <= 0 {
                return Err(OpError::msg(COUNT_POSITIVE));
            }
            i += 1;
        } else if (args::is(arg, "store") || args::is(arg, "storedist"))
            && left >= 1
            && !nostore
            && !search
        {
            storekey = Some(rest[i + 1]);
            storedist = args::is(arg, "storedist");
            i += 1;
        } else if args::is(arg, "storedist") && v == Variant::SearchStore {
            storedist = true;
        } else if args::is(arg, "frommember") && left >= 1 && search && !fromloc {
            if let Some(z) = z {
                let s = z.score(rest[i + 1]).ok_or(OpError::msg(BAD_MEMBER))?;
                shape.xy = decode_score(s);
            }
            frommember = true;
            i += 1;
        } else if args::is(arg, "fromlonlat") && left >= 2 && search && !frommember {
            shape.xy = lon_lat(rest[i + 1], rest[i + 2])?;
            fromloc = true;
            i += 2;
        } else if args::is(arg, "byradius") && left >= 2 && search && !bybox {
            let (r, c) = radius_arg(rest[i + 1], rest[i + 2])?;
            shape.kind = ShapeKind::Circle(r);
            shape.conversion = c;
            byradius = true;
            i += 2;
        } else if args::is(arg, "bybox") && left >= 3 && search && !byradius {
            let w = parse_score(rest[i + 1]).ok_or(OpError::msg(NEED_WIDTH))?;
            let h = parse_score(rest[i + 2]).ok_or(OpError::msg(NEED_HEIGHT))?;
            if h < 0.0 || w < 0.0 {
                return Err(OpError::msg(BOX_NEGATIVE));
            }
            shape.conversion = unit(rest[i + 3])?;
            shape.kind = ShapeKind::Rect(w, h);
            bybox = true;
            i += 3;
        } else {
            return Err(OpError::Syntax);
        }
        i += 1;
    }
    if storekey.is_some() && (withdist || withhash || withcoord) {
        return Err(OpError::msg(if v == Variant::SearchStore {
            "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        } else {
            "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        }));
    }
    let name = String::from_utf8_lossy(a[0]).into_owned();
    if search && !(frommember || fromloc) {
        return Err(OpError::msg(format!(
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}"
        )));
    }
    if search && !(byradius || bybox) {
        return Err(OpError::msg(format!(
            "ERR exactly one of BYRADIUS and BYBOX can be specified for {name}"
        )));
    }
    if any && count == 0 {
        return Err(OpError::msg(ANY_NEEDS_COUNT));
    }
    let Some(z) = z else {
        if let Some(dst) = storekey {
            if sh.db(cx.db).delete(dst).is_some() {
                sh.dirty += 1;
            }
            cx.out.int(0);
        } else {
            cx.out.array(0);
        }
        return Ok(());
    };
    if count != 0 && sort == Sort::None && !any {
        sort = Sort::Asc;
    }
    let limit = if any { count as usize } else { 0 };
    let mut points = find_points(z, &shape, limit);
    if points.is_empty() && storekey.is_none() {
        cx.out.array(0);
        return Ok(());
    }
    let total = points.len();
    let returned = if count == 0 || (total as i64) < count {
        total
    } else {
        count as usize
    };
    match sort {
        Sort::Asc => points.sort_by(|p, q| {
            p.dist
                .partial_cmp(&q.dist)
                .unwrap_or(std::cmp::Ordering::Equal)
        }),
        Sort::Desc => points.sort_by(|p, q| {
            q.dist
                .partial_cmp(&p.dist)
                .unwrap_or(std::cmp::Ordering::Equal)
        }),
        Sort::None => {}
    }
    points.truncate(returned);
    let Some(dst) = storekey else {
        let options = usize::from(withdist) + usize::from(withcoord) + usize::from(withhash);
        cx.out.array(returned);
        for p in &points {
            if options > 0 {
                cx.out.array(options + 1);
            }
            cx.out.bulk(&p.member);
            if withdist {
                cx.out
                    .bulk(fmt_distance(p.dist / shape.conversion).as_bytes());
            }
            if withhash {
                cx.out.int(p.score as i64);
            }
            if withcoord {
                cx.out.array(2);
                write_coord(cx.out, p.xy[0]);
                write_coord(cx.out, p.xy[1]);
            }
        }
        return Ok(());
    };
    let items: Vec<(Vec<u8>, f64)> = points
        .into_iter()
        .map(|p| {
            let s = if storedist {
                p.dist / shape.conversion
            } else {
                p.score
            };
            (p.member, s)
        })
        .collect();
    store(sh, cx, dst, items);
    Ok(())
}

/// Stores search results as a sorted set (Redis builds a skiplist and converts it to a
/// listpack when it fits), or deletes `dst` when there are none; replies with the count.
fn store(sh: &mut Shard, cx: &mut Cx<'_>, dst: &[u8], mut items: Vec<(Vec<u8>, f64)>) {
    let enc = sh.config.encodings;
    let n = items.len();
    let db = sh.db(cx.db);
    if n == 0 {
        if db.delete(dst).is_some() {
            sh.dirty += 1;
        }
        cx.out.int(0);
        return;
    }
    items.sort_by(|x, y| {
        x.1.partial_cmp(&y.1)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| x.0.cmp(&y.0))
    });
    let z = ZSet::from_sorted(items, &enc);
    db.set(dst, Value::ZSet(Box::new(z)), cx.now_ms);
    sh.dirty += n as u64;
    cx.out.int(n as i64);
}

/// `GEORADIUS key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH]
/// [COUNT count [ANY]] [ASC|DESC] [STORE key] [STOREDIST key]`
pub fn georadius(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    radius_generic(sh, cx, a, Variant::Radius)
}

/// `GEORADIUS_RO key longitude latitude radius unit [options]`
pub fn georadius_ro(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    radius_generic(sh, cx, a, Variant::RadiusRo)
}

/// `GEORADIUSBYMEMBER key member radius unit [options] [STORE key] [STOREDIST key]`
pub fn georadiusbymember(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    radius_generic(sh, cx, a, Variant::ByMember)
}

/// `GEORADIUSBYMEMBER_RO key member radius unit [options]`
pub fn georadiusbymember_ro(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    radius_generic(sh, cx, a, Variant::ByMemberRo)
}

/// `GEOSEARCH key FROMMEMBER m|FROMLONLAT lon lat BYRADIUS r unit|BYBOX w h unit [options]`
pub fn geosearch(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    radius_generic(sh, cx, a, Variant::Search)
}

/// `GEOSEARCHSTORE dst src FROMMEMBER m|FROMLONLAT lon lat BYRADIUS r unit|BYBOX w h unit
/// [ASC|DESC] [COUNT n [ANY]] [STOREDIST]`
pub fn geosearchstore(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    radius_generic(sh, cx, a, Variant::SearchStore)
}

#[cfg(test)]
mod tests_redis;
