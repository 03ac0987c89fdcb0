//! Merge suggestions: rows that share a valid phone or a normalised email, transitively.
//!
//! A union-find over interned keys, never pairwise comparison. Memory grows with distinct keys
//! (a phone key is its E.164 digits as a `u64`; an email key is its bytes in one arena) plus a
//! few bytes per row; row width does not matter. See `docs/dedupe.md` for measured figures.

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::io;

use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};

use crate::whatsapp::{self, Key, RuleId};

/// Groups larger than this are reported as a data problem (a shared placeholder), not a contact.
pub const DEFAULT_MAX_GROUP: usize = 50;

const EMAIL_BIT: u32 = 1 << 31;

/// The linker indexes rows, keys and its email arena with `u32` (half the memory of `usize`):
/// an input past those limits (4 G rows or keys, 2 GiB of distinct emails) is refused, never
/// wrapped around.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkerFull;

impl std::fmt::Display for LinkerFull {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("too many rows or distinct keys for the duplicate linker (over 2^31)")
    }
}

impl std::error::Error for LinkerFull {}

fn index(n: usize) -> Result<u32, LinkerFull> {
    u32::try_from(n)
        .ok()
        .filter(|&i| i < EMAIL_BIT)
        .ok_or(LinkerFull)
}

/// Collects the keys of every row, in input order, and links rows that share one.
#[derive(Default)]
pub struct Linker {
    hasher: FxBuildHasher,
    phones: Vec<u64>,
    phone_index: HashTable<u32>,
    email_arena: String,
    email_ends: Vec<u32>,
    email_index: HashTable<u32>,
    /// Global key id → local index (`EMAIL_BIT` set for emails).
    key_ref: Vec<u32>,
    parent: Vec<u32>,
    size: Vec<u32>,
    /// How many rows carry each key (saturating): a key on two rows is what ties them.
    key_rows: Vec<u32>,
    /// Row i's keys are `row_keys[row_off[i]..row_off[i + 1]]`.
    row_off: Vec<u32>,
    row_keys: Vec<u32>,
    row_filled: Vec<u16>,
    ids: Option<(String, Vec<u32>)>,
    /// What the WhatsApp rules added (see the end of this file): empty unless one fired.
    rules: RuleLinks,
}

impl Linker {
    /// `with_ids`: keep each row's id (from the id column) for the suggestions file.
    pub fn new(with_ids: bool) -> Self {
        Linker {
            row_off: vec![0],
            ids: with_ids.then(|| (String::new(), Vec::new())),
            ..Linker::default()
        }
    }

    /// Adds the next row (rows are numbered in the order they are added).
    pub fn add_row<S: AsRef<str>>(
        &mut self,
        phones: &[u64],
        emails: &[S],
        filled: u32,
        id: &str,
    ) -> Result<(), LinkerFull> {
        self.add_row_with(phones, emails, &[], filled, id)
    }

    /// [`Linker::add_row`] with the keys the WhatsApp rules gave the row
    /// (`CleanRow::rule_keys`, from [`whatsapp::keys`]).
    pub fn add_row_with<S: AsRef<str>>(
        &mut self,
        phones: &[u64],
        emails: &[S],
        rule_keys: &[Key],
        filled: u32,
        id: &str,
    ) -> Result<(), LinkerFull> {
        let start = self.row_keys.len();
        for &p in phones {
            let k = self.intern_phone(p)?;
            self.push_key(start, k);
        }
        for e in emails {
            let k = self.intern_email(e.as_ref())?;
            self.push_key(start, k);
        }
        if !rule_keys.is_empty() {
            self.add_rule_keys(start, rule_keys)?;
        }
        self.row_off.push(index(self.row_keys.len())?);
        self.row_filled
            .push(u16::try_from(filled).unwrap_or(u16::MAX));
        if let Some((arena, ends)) = &mut self.ids {
            arena.push_str(id);
            ends.push(index(arena.len())?);
        }
        Ok(())
    }

    /// Records key `k` on the row whose keys start at `start` (once per row) and links it.
    fn push_key(&mut self, start: usize, k: u32) {
        if self.row_keys[start..].contains(&k) {
            return;
        }
        self.row_keys.push(k);
        let n = &mut self.key_rows[k as usize];
        *n = n.saturating_add(1);
        self.union(self.row_keys[start], k);
    }

    /// Makes room for about `rows` rows in all (an estimate from the input's size), extrapolating
    /// the keys per row seen so far: the tables then grow once, instead of doubling their way up
    /// and rehashing every key each time (which also peaks at old + new).
    pub fn reserve_for_rows(&mut self, rows: usize) {
        let seen = self.rows().max(1);
        let more_rows = rows.saturating_sub(self.rows());
        let scale = |n: usize| n.saturating_mul(more_rows) / seen;
        let more_phones = scale(self.phones.len());
        let more_emails = scale(self.email_ends.len());
        let more_keys = more_phones + more_emails;
        let (phones, key_ref, hasher) = (&self.phones, &self.key_ref, &self.hasher);
        self.phone_index.reserve(more_phones, |&k| {
            hasher.hash_one(phones[key_ref[k as usize] as usize])
        });
        let mut index = std::mem::take(&mut self.email_index);
        index.reserve(more_emails, |&k| {
            self.hasher
                .hash_one(self.email(self.key_ref[k as usize] & !EMAIL_BIT))
        });
        self.email_index = index;
        self.phones.reserve(more_phones);
        self.email_ends.reserve(more_emails);
        self.email_arena.reserve(scale(self.email_arena.len()));
        for v in [
            &mut self.key_ref,
            &mut self.parent,
            &mut self.size,
            &mut self.key_rows,
        ] {
            v.reserve(more_keys);
        }
        self.row_off.reserve(more_rows);
        self.row_keys.reserve(scale(self.row_keys.len()));
        self.row_filled.reserve(more_rows);
        if let Some((arena, ends)) = &mut self.ids {
            arena.reserve(scale(arena.len()));
            ends.reserve(more_rows);
        }
    }

    pub fn rows(&self) -> usize {
        self.row_filled.len()
    }

    /// Distinct keys seen so far.
    pub fn keys(&self) -> usize {
        self.key_ref.len()
    }

    fn new_key(&mut self, local: u32) -> Result<u32, LinkerFull> {
        let id = index(self.key_ref.len())?;
        self.key_ref.push(local);
        self.parent.push(id);
        self.size.push(1);
        self.key_rows.push(0);
        Ok(id)
    }

    fn intern_phone(&mut self, p: u64) -> Result<u32, LinkerFull> {
        let h = self.hasher.hash_one(p);
        let (phones, key_ref) = (&self.phones, &self.key_ref);
        if let Some(&k) = self
            .phone_index
            .find(h, |&k| phones[key_ref[k as usize] as usize] == p)
        {
            return Ok(k);
        }
        let local = index(self.phones.len())?;
        self.phones.push(p);
        let k = self.new_key(local)?;
        let (phones, key_ref, hasher) = (&self.phones, &self.key_ref, &self.hasher);
        self.phone_index.insert_unique(h, k, |&k| {
            hasher.hash_one(phones[key_ref[k as usize] as usize])
        });
        Ok(k)
    }

    fn email(&self, local: u32) -> &str {
        let end = self.email_ends[local as usize] as usize;
        let start = match local {
            0 => 0,
            l => self.email_ends[l as usize - 1] as usize,
        };
        &self.email_arena[start..end]
    }

    fn intern_email(&mut self, e: &str) -> Result<u32, LinkerFull> {
        let h = self.hasher.hash_one(e);
        if let Some(&k) = self.email_index.find(h, |&k| {
            self.email(self.key_ref[k as usize] & !EMAIL_BIT) == e
        }) {
            return Ok(k);
        }
        let local = index(self.email_ends.len())?;
        let end = index(self.email_arena.len() + e.len())?;
        self.email_arena.push_str(e);
        self.email_ends.push(end);
        let k = self.new_key(local | EMAIL_BIT)?;
        let mut index = std::mem::take(&mut self.email_index);
        index.insert_unique(h, k, |&k| {
            self.hasher
                .hash_one(self.email(self.key_ref[k as usize] & !EMAIL_BIT))
        });
        self.email_index = index;
        Ok(k)
    }

    fn find(&mut self, mut k: u32) -> u32 {
        while self.parent[k as usize] != k {
            let gp = self.parent[self.parent[k as usize] as usize];
            self.parent[k as usize] = gp;
            k = gp;
        }
        k
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        let (big, small) = if self.size[ra as usize] >= self.size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
    }

    fn row_keys(&self, row: usize) -> &[u32] {
        &self.row_keys[self.row_off[row] as usize..self.row_off[row + 1] as usize]
    }

    /// The display form of a key: `+E164` or the email (an old id: its digits; a user id:
    /// itself).
    fn key_text(&self, k: u32) -> String {
        let r = self.key_ref[k as usize];
        if r & EMAIL_BIT != 0 {
            self.email(r & !EMAIL_BIT).to_string()
        } else if self.rules.is_old_id(k) {
            self.phones[r as usize].to_string()
        } else {
            format!("+{}", self.phones[r as usize])
        }
    }

    /// An email key (a user id shares the email table but is not one).
    fn is_email(&self, k: u32) -> bool {
        self.key_ref[k as usize] & EMAIL_BIT != 0 && !self.rules.is_user_id(k)
    }

    fn id(&self, row: usize) -> &str {
        match &self.ids {
            None => "",
            Some((arena, ends)) => {
                let start = if row == 0 { 0 } else { ends[row - 1] as usize };
                &arena[start..ends[row] as usize]
            }
        }
    }

    /// Closes the input: finds the groups, numbered by each group's first row.
    pub fn finish(mut self, max_group: usize) -> Groups {
        if !self.rules.deferred.is_empty() {
            self.link_old_ids();
        }
        let n = self.rows();
        let mut root_of_row = vec![u32::MAX; n];
        let mut comp_rows = vec![0u32; self.keys()];
        for (row, root) in root_of_row.iter_mut().enumerate() {
            if let Some(k) = self.anchor(row) {
                *root = self.find(k);
                comp_rows[*root as usize] += 1;
            }
        }
        // Group numbers in order of each group's first row.
        let mut group_of_root = vec![0u32; self.keys()];
        let mut sizes: Vec<u32> = Vec::new();
        let mut group_of_row = vec![0u32; n];
        for row in 0..n {
            let root = root_of_row[row];
            if root == u32::MAX || comp_rows[root as usize] < 2 {
                continue;
            }
            let g = &mut group_of_root[root as usize];
            if *g == 0 {
                sizes.push(0);
                // At most one group per row, and rows fit in u32 (checked by `add_row`).
                *g = index(sizes.len()).unwrap_or(u32::MAX);
            }
            sizes[*g as usize - 1] += 1;
            group_of_row[row] = *g;
        }
        // Counting sort of member rows by group: rows stay in input order within a group.
        let mut starts = Vec::with_capacity(sizes.len() + 1);
        let mut acc = 0u32;
        starts.push(0);
        for s in &sizes {
            acc += s;
            starts.push(acc);
        }
        let mut members = vec![0u32; acc as usize];
        let mut fill = starts.clone();
        for (row, &g) in group_of_row.iter().enumerate() {
            if g != 0 {
                let slot = &mut fill[g as usize - 1];
                members[*slot as usize] = index(row).unwrap_or(u32::MAX);
                *slot += 1;
            }
        }
        Groups {
            linker: self,
            starts,
            members,
            max_group,
        }
    }
}

/// The groups found, ready to be written.
pub struct Groups {
    linker: Linker,
    starts: Vec<u32>,
    members: Vec<u32>,
    max_group: usize,
}

/// What `--summary` and the JSON report say about the groups.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct GroupSummary {
    pub groups: u64,
    pub rows_in_groups: u64,
    pub largest_group: u64,
    /// Groups above `--max-group`: likely a shared placeholder, not one contact.
    pub oversized_groups: u64,
    pub max_group: u64,
}

/// One group above `--max-group`, for the warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Oversized {
    pub group: usize,
    pub rows: usize,
    /// The key carried by the most rows of the group: usually the placeholder.
    pub top_key: String,
    /// How many of the group's rows carry it: few when the group is a long chain of keys
    /// rather than one shared placeholder.
    pub top_key_rows: usize,
}

impl Groups {
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The 0-based member rows of group `g` (0-based), in input order.
    pub fn members(&self, g: usize) -> &[u32] {
        &self.members[self.starts[g] as usize..self.starts[g + 1] as usize]
    }

    pub fn summary(&self) -> GroupSummary {
        let sizes = (0..self.len()).map(|g| self.members(g).len() as u64);
        GroupSummary {
            groups: self.len() as u64,
            rows_in_groups: self.members.len() as u64,
            largest_group: sizes.clone().max().unwrap_or(0),
            oversized_groups: sizes.filter(|&s| s > self.max_group as u64).count() as u64,
            max_group: self.max_group as u64,
        }
    }

    pub fn oversized(&self) -> Vec<Oversized> {
        (0..self.len())
            .filter(|&g| self.members(g).len() > self.max_group)
            .map(|g| {
                let top = self
                    .members(g)
                    .iter()
                    .flat_map(|&r| self.linker.row_keys(r as usize))
                    .max_by_key(|&&k| (self.linker.key_rows[k as usize], std::cmp::Reverse(k)));
                Oversized {
                    group: g + 1,
                    rows: self.members(g).len(),
                    top_key: top.map(|&k| self.linker.key_text(k)).unwrap_or_default(),
                    top_key_rows: top.map_or(0, |&k| self.linker.key_rows[k as usize] as usize),
                }
            })
            .collect()
    }

    /// Every row's group: `groups[row]` is the 0-based group of 0-based row `row`, `None`
    /// for a row in no group of two or more. Built on demand (4 bytes a row), so `dedupe`,
    /// which does not need it, does not hold it.
    pub fn row_groups(&self) -> Vec<Option<u32>> {
        let mut out = vec![None; self.linker.rows()];
        for g in 0..self.len() {
            for &r in self.members(g) {
                out[r as usize] = Some(index(g).unwrap_or(u32::MAX));
            }
        }
        out
    }

    /// The suggested survivor of group `g` (0-based): the most complete row, ties to the
    /// first.
    pub fn survivor(&self, g: usize) -> u32 {
        let m = self.members(g);
        let mut best = m[0];
        for &r in &m[1..] {
            if self.linker.row_filled[r as usize] > self.linker.row_filled[best as usize] {
                best = r;
            }
        }
        best
    }

    /// Writes the suggestions CSV: one line per member row. `id_header` names the id column
    /// when the input has one.
    pub fn write_csv<W: io::Write>(
        &self,
        w: &mut csv::Writer<W>,
        id_header: Option<&str>,
    ) -> csv::Result<()> {
        self.write_csv_with(w, id_header, None)
    }

    /// [`Groups::write_csv`], plus, with a fingerprint of the input
    /// (`merge::Fingerprint`), an empty `decision` column for the reviewer (`skip` leaves a
    /// row out of its group's merge) and an `input_fingerprint` column on every line (a
    /// column, not a comment line, so it survives a spreadsheet round-trip), which
    /// `merge --suggestions` checks against its input.
    pub fn write_csv_with<W: io::Write>(
        &self,
        w: &mut csv::Writer<W>,
        id_header: Option<&str>,
        fingerprint: Option<&str>,
    ) -> csv::Result<()> {
        let mut header = vec!["group", "row"];
        if id_header.is_some() {
            header.push("id");
        }
        header.extend([
            "survivor",
            "matched_on",
            "key",
            "group_size",
            "phones",
            "emails",
            "note",
        ]);
        if fingerprint.is_some() {
            header.extend(["decision", "input_fingerprint"]);
        }
        w.write_record(&header)?;
        let l = &self.linker;
        for g in 0..self.len() {
            let m = self.members(g);
            let oversized = m.len() > self.max_group;
            let survivor = if oversized {
                u32::MAX
            } else {
                self.survivor(g)
            };
            let (group, size) = ((g + 1).to_string(), m.len().to_string());
            for &r in m {
                let keys = l.row_keys(r as usize);
                let shared: Vec<u32> = keys.iter().copied().filter(|&k| l.is_shared(k)).collect();
                let matched_on = l.matched_on(r, &shared);
                let join = |ks: &mut dyn Iterator<Item = u32>| {
                    ks.map(|k| l.key_text(k)).collect::<Vec<_>>().join(";")
                };
                let key = join(&mut shared.iter().copied());
                // A row's phones are its own numbers and ids, not the other forms rules add.
                let phones = join(
                    &mut keys
                        .iter()
                        .copied()
                        .filter(|&k| !l.is_email(k) && l.rules.via(r, k).is_none()),
                );
                let emails = join(&mut keys.iter().copied().filter(|&k| l.is_email(k)));
                let row = (r + 1).to_string();
                let mut rec: Vec<&str> = vec![&group, &row];
                if id_header.is_some() {
                    rec.push(l.id(r as usize));
                }
                rec.extend([
                    if r == survivor { "yes" } else { "" },
                    &matched_on,
                    &key,
                    &size,
                    &phones,
                    &emails,
                    if oversized { "oversized_group" } else { "" },
                ]);
                if let Some(f) = fingerprint {
                    rec.extend(["", f]);
                }
                w.write_record(&rec)?;
            }
        }
        w.flush()?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// WhatsApp rules (`crate::whatsapp`, `docs/whatsapp.md`): keys that rules add to rows. None of
// this costs anything on a file where no rule fired (`RuleLinks` stays empty).

/// What the WhatsApp rules added to the linker.
#[derive(Default)]
struct RuleLinks {
    /// Keys only a rule makes (old ids, user ids) → the rule.
    made: FxHashMap<u32, RuleId>,
    /// (row, key, rule): a key the row carries through a rule (another form of its number),
    /// in row order.
    via: Vec<(u32, u32, RuleId)>,
    /// Key → how many rows carry it through a rule, and the rule.
    reached: FxHashMap<u32, (u32, RuleId)>,
    /// (row, old id): linked, or not, once the whole file has been read.
    deferred: Vec<(u32, u32)>,
    /// Old ids that fit several numbers of the file: they link nothing at all.
    dead: FxHashSet<u32>,
    /// The old ids and numbers an old-id rule tied together → the rule.
    joined: FxHashMap<u32, RuleId>,
}

impl RuleLinks {
    fn is_empty(&self) -> bool {
        self.made.is_empty() && self.via.is_empty()
    }

    fn is_user_id(&self, k: u32) -> bool {
        !self.made.is_empty() && self.made.get(&k) == Some(&RuleId::UserId)
    }

    fn is_old_id(&self, k: u32) -> bool {
        !self.made.is_empty() && matches!(self.made.get(&k), Some(RuleId::Ci8 | RuleId::Bj8))
    }

    /// The rule through which `row` carries key `k`, if it does not carry it itself.
    fn via(&self, row: u32, k: u32) -> Option<RuleId> {
        if self.via.is_empty() {
            return None;
        }
        let i = self.via.partition_point(|e| e.0 < row);
        self.via[i..]
            .iter()
            .take_while(|e| e.0 == row)
            .find(|e| e.1 == k)
            .map(|e| e.2)
    }
}

/// `matched_on` bits: phone, email, then one per rule (by `RuleId`).
const BY_PHONE: u32 = 1;
const BY_EMAIL: u32 = 2;

fn rule_bit(r: RuleId) -> u32 {
    4 << (r as u32)
}

impl Linker {
    /// Adds a row's rule keys. Another form of a number and a user id link at once; an old id
    /// waits for the end of the file ([`Linker::link_old_ids`]), so it is added last and never
    /// becomes the key the row's other keys are tied to.
    fn add_rule_keys(&mut self, start: usize, keys: &[Key]) -> Result<(), LinkerFull> {
        let row = index(self.rows())?;
        for key in keys {
            if let Key::Alias(rule, n) = key {
                let k = self.intern_phone(*n)?;
                if !self.row_keys[start..].contains(&k) {
                    self.push_key(start, k);
                    self.rules.via.push((row, k, *rule));
                    self.rules.reached.entry(k).or_insert((0, *rule)).0 += 1;
                }
            }
        }
        for key in keys {
            if let Key::UserId(id) = key {
                // Emails are lower-cased and hold an `@`: a user id never equals one.
                let k = self.intern_email(id)?;
                self.rules.made.insert(k, RuleId::UserId);
                self.push_key(start, k);
            }
        }
        for key in keys {
            if let Key::OldId(rule, digits) = key {
                // `cc` + 8 digits is no valid number, so never another row's phone key.
                let k = self.intern_phone(*digits)?;
                self.rules.made.insert(k, *rule);
                if !self.row_keys[start..].contains(&k) {
                    self.row_keys.push(k);
                    let n = &mut self.key_rows[k as usize];
                    *n = n.saturating_add(1);
                    self.rules.deferred.push((row, k));
                }
            }
        }
        Ok(())
    }

    /// Links each old id to the one number of the file it can have become (`+225 0[157]` or
    /// `+229 01` and the same 8 digits), and its rows to one another. An old id that several
    /// numbers fit links nothing, so it can never join two of them.
    fn link_old_ids(&mut self) {
        let mut fits: FxHashMap<(RuleId, u64), (u32, u32)> = FxHashMap::default();
        for k in 0..self.key_ref.len() {
            let r = self.key_ref[k];
            let k = k as u32;
            if r & EMAIL_BIT != 0 || self.rules.made.contains_key(&k) {
                continue;
            }
            if let Some(fit) = whatsapp::new_form_suffix(self.phones[r as usize]) {
                fits.entry(fit).or_insert((0, k)).0 += 1;
            }
        }
        let mut olds: Vec<(u32, RuleId)> = self
            .rules
            .made
            .iter()
            .filter(|(k, _)| self.rules.is_old_id(**k))
            .map(|(k, r)| (*k, *r))
            .collect();
        olds.sort_unstable();
        for (x, rule) in olds {
            let digits = self.phones[self.key_ref[x as usize] as usize];
            match fits.get(&(rule, whatsapp::old_suffix(digits))) {
                Some(&(1, n)) => {
                    self.union(x, n);
                    self.rules.joined.insert(x, rule);
                    self.rules.joined.insert(n, rule);
                }
                Some(_) => {
                    self.rules.dead.insert(x);
                }
                None => {}
            }
        }
        for (row, x) in std::mem::take(&mut self.rules.deferred) {
            if self.rules.dead.contains(&x) {
                continue;
            }
            if let Some(a) = self.anchor(row as usize) {
                self.union(a, x);
            }
        }
    }

    /// The key a row's group is found from: its first key that links.
    fn anchor(&self, row: usize) -> Option<u32> {
        let keys = self.row_keys(row);
        if self.rules.dead.is_empty() {
            return keys.first().copied();
        }
        keys.iter().copied().find(|k| !self.rules.dead.contains(k))
    }

    /// A key that ties its rows to others: carried by two rows or more, or tied by a rule.
    /// Another form of a number that only rules added (two rows with the same `+549` number
    /// both reach its `+54` form) ties nothing the number itself does not: not shown.
    fn is_shared(&self, k: u32) -> bool {
        let rows = self.key_rows[k as usize];
        if self.rules.is_empty() {
            return rows >= 2;
        }
        let only_via_rules = self
            .rules
            .reached
            .get(&k)
            .is_some_and(|&(reached, _)| reached >= rows);
        (rows >= 2 && !only_via_rules && !self.rules.dead.contains(&k))
            || self.rules.joined.contains_key(&k)
    }

    /// What ties `row` to its group, from its shared keys: `phone`, `email`, `phone+email`, or
    /// with rules the rules' names too (`phone+ar_mobile_9`, `ci_8_to_10_digits`, …).
    fn matched_on(&self, row: u32, shared: &[u32]) -> Cow<'static, str> {
        let mut bits = 0;
        for &k in shared {
            if let Some(rule) = self.rules.via(row, k) {
                bits |= rule_bit(rule);
            } else if let Some(&rule) = self.rules.made.get(&k) {
                bits |= rule_bit(rule);
            } else if self.is_email(k) {
                bits |= BY_EMAIL;
            } else {
                let (reached, rule) = match self.rules.reached.get(&k) {
                    Some(&r) => r,
                    None => (0, RuleId::Ar9),
                };
                if self.key_rows[k as usize].saturating_sub(reached) >= 2 {
                    bits |= BY_PHONE;
                }
                if reached > 0 {
                    bits |= rule_bit(rule);
                }
                if let Some(&rule) = self.rules.joined.get(&k) {
                    bits |= rule_bit(rule);
                }
            }
        }
        match bits {
            b if b == BY_PHONE | BY_EMAIL => Cow::Borrowed("phone+email"),
            BY_PHONE => Cow::Borrowed("phone"),
            0 | BY_EMAIL => Cow::Borrowed("email"),
            _ => {
                let mut names: Vec<&str> = Vec::new();
                if bits & BY_PHONE != 0 {
                    names.push("phone");
                }
                if bits & BY_EMAIL != 0 {
                    names.push("email");
                }
                for r in whatsapp::RULES {
                    if bits & rule_bit(r.id) != 0 && !names.contains(&r.matched_on) {
                        names.push(r.matched_on);
                    }
                }
                Cow::Owned(names.join("+"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(rows: &[(&[u64], &[&str])]) -> Vec<Vec<u32>> {
        let mut l = Linker::new(false);
        for (p, e) in rows {
            l.add_row(p, e, 1, "").unwrap();
        }
        let g = l.finish(DEFAULT_MAX_GROUP);
        (0..g.len()).map(|i| g.members(i).to_vec()).collect()
    }

    #[test]
    fn transitive_chain_across_phone_and_email() {
        let g = groups(&[
            (&[6591234567], &[]),
            (&[], &["x@y.com"]),
            (&[6591234567], &["jane@example.com"]),
            (&[], &["jane@example.com"]),
        ]);
        assert_eq!(g, vec![vec![0, 2, 3]]);
    }

    #[test]
    fn unlinked_rows_form_no_group_and_numbering_follows_first_row() {
        let g = groups(&[
            (&[1], &[]),
            (&[2], &[]),
            (&[3], &[]),
            (&[2], &[]),
            (&[1], &[]),
        ]);
        assert_eq!(g, vec![vec![0, 4], vec![1, 3]]);
    }

    #[test]
    fn the_same_key_twice_in_one_row_links_nothing() {
        assert!(groups(&[(&[1, 1], &["a@b.co", "a@b.co"])]).is_empty());
    }

    #[test]
    fn suggestions_csv() {
        let mut l = Linker::new(true);
        l.add_row(&[6591234567], &["a@b.co"], 3, "c1").unwrap();
        l.add_row(&[6591234567], &[] as &[&str], 4, "c2").unwrap();
        l.add_row(&[], &["a@b.co"], 1, "c3").unwrap();
        let g = l.finish(DEFAULT_MAX_GROUP);
        let mut w = csv::Writer::from_writer(Vec::new());
        g.write_csv(&mut w, Some("id")).unwrap();
        let out = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(
            out,
            "group,row,id,survivor,matched_on,key,group_size,phones,emails,note\n\
             1,1,c1,,phone+email,+6591234567;a@b.co,3,+6591234567,a@b.co,\n\
             1,2,c2,yes,phone,+6591234567,3,+6591234567,,\n\
             1,3,c3,,email,a@b.co,3,,a@b.co,\n"
        );
    }

    /// Sizing the tables ahead (as `job.rs` does after its first rows) changes nothing found.
    #[test]
    fn reserving_ahead_finds_the_same_groups() {
        let suggestions = |reserve_at: Option<usize>| {
            let mut l = Linker::new(true);
            for i in 0..20_000u64 {
                if Some(i as usize) == reserve_at {
                    l.reserve_for_rows(20_000);
                }
                // Keys shared by rows far apart, across phones and emails.
                let phones = [6580000000 + i % 7919, 6590000000 + (i * 31) % 12007];
                let email = format!("p{}@example.com", (i * 17) % 9973);
                l.add_row(&phones, &[email], 2, &format!("id{i}")).unwrap();
            }
            let mut w = csv::Writer::from_writer(Vec::new());
            l.finish(50).write_csv(&mut w, Some("id")).unwrap();
            w.into_inner().unwrap()
        };
        let plain = suggestions(None);
        assert!(plain.len() > 100_000);
        assert_eq!(suggestions(Some(100)), plain);
        assert_eq!(suggestions(Some(0)), plain);
    }

    #[test]
    fn oversized_groups_are_reported() {
        let mut l = Linker::new(false);
        for _ in 0..5 {
            l.add_row(&[10000000000], &[] as &[&str], 1, "").unwrap();
        }
        let g = l.finish(3);
        assert_eq!(g.summary().oversized_groups, 1);
        assert_eq!(
            g.oversized(),
            vec![Oversized {
                group: 1,
                rows: 5,
                top_key: "+10000000000".into(),
                top_key_rows: 5,
            }]
        );
    }
}
