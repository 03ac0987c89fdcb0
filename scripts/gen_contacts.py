#!/usr/bin/env python3
"""Generate a realistic, deterministic contact CSV for benchmarking contactclean.

Usage:
    python3 scripts/gen_contacts.py --rows 1000000 --seed 42 --out bench-data/contacts.csv
    python3 scripts/gen_contacts.py --rows 20000 --out /tmp/c.csv --stats
    python3 scripts/gen_contacts.py --verify target/release/contactclean

Columns: id,First Name,Last Name,Phone,Mobile,WhatsApp,Email,Company,Notes (~115 bytes/row).
About 1.45 phone cells per row are non-empty, drawn from 51 regions in mixed renderings
(E.164, spaces/dashes/dots/parentheses, (0) trunk, 00 prefix, bare wa_id digits, tel: URIs,
full-width digits, extensions, labels) plus ~10% invalid ones (national numbers without a
country code, junk, spreadsheet damage). ~10% of rows re-list an earlier person with the
number rendered another way or the email in another case. Same --rows and --seed: same bytes.

Numbers are made valid without a phone library: each region lists a few number patterns
(x = any digit, n = 2-9) taken from its numbering plan. --verify renders every pattern in every
"valid" rendering, runs `BIN normalize` on them and prints the share that comes out valid.
"""
import argparse
import collections
import csv
import io
import os
import random
import subprocess
import sys

# code, country calling code, trunk prefix ("" if none), weight, national patterns.
REGIONS = [
    ("US", "1", "", 14, ["212 nxx xxxx", "415 nxx xxxx", "312 nxx xxxx", "617 nxx xxxx",
                         "305 nxx xxxx", "713 nxx xxxx", "206 nxx xxxx", "404 nxx xxxx"]),
    ("CA", "1", "", 3, ["416 nxx xxxx", "604 nxx xxxx", "514 nxx xxxx"]),
    ("GB", "44", "0", 8, ["7400 xxxxxx", "7712 xxxxxx", "7824 xxxxxx", "7956 xxxxxx",
                          "20 7xxx xxxx", "161 4xx xxxx"]),
    ("IN", "91", "0", 8, ["98xxx xxxxx", "99xxx xxxxx", "97xxx xxxxx", "94xxx xxxxx"]),
    ("SG", "65", "", 4, ["81xx xxxx", "82xx xxxx", "9[0-7]xx xxxx", "6[1-6]xx xxxx"]),
    ("DE", "49", "0", 4, ["151 xxxxxxxx", "160 xxxxxxx", "170 xxxxxxxx", "176 xxxxxxxx",
                          "30 xxxxxxxx"]),
    ("FR", "33", "0", 4, ["6 [1-2]x xx xx xx", "6 [5-8]x xx xx xx", "7 5x xx xx xx",
                          "1 4x xx xx xx"]),
    ("ES", "34", "", 3, ["6xx xxx xxx", "91x xxx xxx"]),
    ("IT", "39", "", 3, ["347 xxx xxxx", "333 xxx xxxx", "320 xxx xxxx"]),
    ("NL", "31", "0", 2, ["6 [1-5]xxx xxxx"]),
    ("BE", "32", "0", 1, ["47x xx xx xx", "49x xx xx xx"]),
    ("CH", "41", "0", 1, ["7[6-9] xxx xx xx"]),
    ("AT", "43", "0", 1, ["664 xxxxxxx"]),
    ("SE", "46", "0", 1, ["7[0236] xxx xx xx"]),
    ("NO", "47", "", 1, ["4[6-8]x xx xxx", "9xx xx xxx"]),
    ("DK", "45", "", 1, ["2[1-9] [1-9]x xx xx", "4[1-9] [1-9]x xx xx"]),
    ("FI", "358", "0", 1, ["40 xxx xxxx", "50 xxx xxxx"]),
    ("IE", "353", "0", 1, ["8[5-7] xxx xxxx"]),
    ("PT", "351", "", 1, ["9[1236]x xxx xxx"]),
    ("PL", "48", "", 2, ["50x xxx xxx", "60x xxx xxx", "79x xxx xxx"]),
    ("CZ", "420", "", 1, ["60[1-8] xxx xxx", "7[237]x xxx xxx"]),
    ("GR", "30", "", 1, ["69x xxx xxxx"]),
    ("TR", "90", "0", 2, ["53x xxx xx xx", "54x xxx xx xx"]),
    ("RU", "7", "8", 2, ["91x xxx xx xx", "92x xxx xx xx"]),
    ("UA", "380", "0", 1, ["50 xxx xx xx", "67 xxx xx xx", "97 xxx xx xx"]),
    ("IL", "972", "0", 1, ["52 nxx xxxx", "54 nxx xxxx"]),
    ("AE", "971", "0", 2, ["50 xxx xxxx", "55 xxx xxxx"]),
    ("SA", "966", "0", 1, ["5[0345] xxx xxxx"]),
    ("PK", "92", "0", 2, ["30x xxxxxxx", "32x xxxxxxx"]),
    ("BD", "880", "0", 1, ["1[3-9]xx xxxxxx"]),
    ("ID", "62", "0", 3, ["812 xxxx xxxx", "813 xxxx xxxx"]),
    ("MY", "60", "0", 2, ["12 xxx xxxx", "17 [1-9]xx xxxx"]),
    ("TH", "66", "0", 1, ["8[1-9] xxx xxxx", "9[0-9] xxx xxxx"]),
    ("VN", "84", "0", 1, ["9[0-8] xxx xxxx"]),
    ("PH", "63", "0", 2, ["917 xxx xxxx", "918 xxx xxxx", "927 xxx xxxx"]),
    ("JP", "81", "0", 2, ["90 [1-9]xxx xxxx", "80 xxxx xxxx"]),
    ("KR", "82", "0", 1, ["10 [2-4]xxx xxxx"]),
    ("CN", "86", "0", 3, ["138 xxxx xxxx", "139 xxxx xxxx", "186 xxxx xxxx"]),
    ("HK", "852", "", 1, ["9[467]xx xxxx", "6[1345]xx xxxx"]),
    ("TW", "886", "0", 1, ["9[0-8]x xxx xxx"]),
    ("AU", "61", "0", 3, ["40x xxx xxx", "41x xxx xxx", "42x xxx xxx"]),
    ("NZ", "64", "0", 1, ["21 xxx xxxx", "22 xxx xxxx"]),
    ("BR", "55", "0", 3, ["11 9[6-9]xxx xxxx", "21 9[6-9]xxx xxxx"]),
    ("MX", "52", "", 2, ["55 [1-9]xxx xxxx", "33 [1-9]xxx xxxx"]),
    ("AR", "54", "0", 1, ["11 4xxx xxxx"]),
    ("CO", "57", "", 1, ["31x xxx xxxx", "30[0-5] xxx xxxx"]),
    ("CL", "56", "", 1, ["9 9[3-9]xx xxxx"]),
    ("ZA", "27", "0", 1, ["82 xxx xxxx", "83 xxx xxxx", "72 xxx xxxx"]),
    ("NG", "234", "0", 1, ["803 xxx xxxx", "806 xxx xxxx"]),
    ("KE", "254", "0", 1, ["7[0-2]x xxx xxx"]),
    ("EG", "20", "0", 1, ["10 xxxx xxxx", "12 xxxx xxxx"]),
]
REGION_WEIGHTS = [r[3] for r in REGIONS]

FIRST = ("James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Sarah "
         "Wei Li Fang Hiroshi Yuki Min-jun Ji-woo Priya Rahul Ananya Arjun Mohammed Fatima Omar "
         "Aisha Ahmed Olga Ivan Dmitri Anna Sofia Lucas Mateo Valentina Camila José María Zoë "
         "Chloé Léa Jürgen Søren Björn Noah Emma Liam Olivia Siti Nur Thanh Ngozi Chinedu Kwame "
         "Amara Thabo Lerato Ali Mehmet Elif Ayşe Giulia Marco").split()
LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Tan Lim Lee "
        "Wong Chen Wang Zhang Liu Sato Suzuki Takahashi Kim Park Choi Sharma Patel Singh Gupta "
        "Khan Hussain Ivanov Petrova Müller Schmidt Schneider Dubois Lefèvre Rossi Russo "
        "Fernández González López Silva Santos Oliveira Nguyen Tran Okafor Mensah Dlamini "
        "Yilmaz Kaya Cohen Levi O'Brien Murphy Kowalski Nowak Andersson Hansen Novák Papadopoulos").split()
DOMAINS = ["gmail.com"] * 6 + ["yahoo.com", "outlook.com", "hotmail.com", "icloud.com",
                               "proton.me", "mail.ru", "qq.com", "gmx.de", "yahoo.co.in"]
CO_A = "Acme Global Blue Northern Pacific Summit Apex Golden Harbor Silver Orchid Delta Nova".split()
CO_B = ("Logistics Trading Consulting Foods Systems Partners Labs Realty Textiles Motors Health "
        "Media Capital Solutions").split()
CO_C = ["Ltd", "Inc.", "GmbH", "Pte Ltd", "LLC", "S.A.", "", "", "Co.", "Pvt Ltd"]
NOTES = ["VIP customer, renewal due in March", "call after 6pm local time", "met at trade fair",
         "prefers WhatsApp over email", "old number? bounced last campaign", "do not call",
         "Met at \"Expo 2023\", follow up with pricing", "referral from Anna, sales team",
         "moved to new office, update postal address", "invoice address differs from HQ",
         "customer since 2019", "wrong email? ask for a new one", "imported from old CRM"]
JUNK = ["n/a", "N/A", "-", "none", "TBD", "0", "?", "same as above", "ask reception", "NULL",
        "see notes", "xxx"]
LABELS_BEFORE = ["Mobile: ", "Tel: ", "WhatsApp: ", "Work: ", "Cell: ", "Home: "]
LABELS_AFTER = [" (work)", " (home)", " mobile", " (WhatsApp)", " cell", " office"]
FULLWIDTH = str.maketrans("0123456789+", "０１２３４５６７８９＋")

# Rendering weights: the "valid" ones first, then the ones contactclean must flag.
VALID_RENDERINGS = {"e164": 22, "space": 20, "dash": 7, "dot": 3, "paren_cc": 3, "trunk": 4,
                    "idd00": 6, "wa_id": 14, "tel": 2, "fullwidth": 1, "ext": 2, "label": 4,
                    "float": 1}
INVALID_RENDERINGS = {"national": 7, "junk": 3, "excel": 1, "short": 0.5}
RENDERINGS = {**VALID_RENDERINGS, **INVALID_RENDERINGS}
R_NAMES, R_WEIGHTS = list(RENDERINGS), list(RENDERINGS.values())


def make_number(rng, region):
    """A national number (digit groups) from one of the region's patterns."""
    pattern = rng.choice(region[4])
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "x":
            out.append(str(rng.randrange(10)))
        elif c == "n":
            out.append(str(rng.randrange(2, 10)))
        elif c == "[":  # [0-7] or [0236]
            j = pattern.index("]", i)
            spec = pattern[i + 1:j]
            if "-" in spec:
                spec = "".join(str(d) for d in range(int(spec[0]), int(spec[2]) + 1))
            out.append(rng.choice(spec))
            i = j
        else:
            out.append(c)
        i += 1
    return "".join(out).split(" ")


def render(rng, region, groups, how):
    """One human rendering of the number; `how` is a key of RENDERINGS."""
    cc, trunk, digits = region[1], region[2], "".join(groups)
    spaced = " ".join(groups)
    if how == "e164":
        return f"+{cc}{digits}"
    if how == "space":
        return f"+{cc} {spaced}"
    if how == "dash":
        return f"+{cc}-" + "-".join(groups)
    if how == "dot":
        return f"+{cc}." + ".".join(groups)
    if how == "paren_cc":
        if cc == "1":
            return f"+1 ({groups[0]}) {groups[1][:3]}-{groups[1][3:]}{groups[2]}"
        return f"(+{cc}) {spaced}"
    if how == "trunk":
        return f"+{cc} ({trunk}){spaced}" if trunk == "0" else f"+{cc} {spaced}"
    if how == "idd00":
        return f"00{cc} {spaced}" if rng.random() < 0.7 else f"00{cc}{digits}"
    if how == "wa_id":
        return f"{cc}{digits}"
    if how == "tel":
        return f"tel:+{cc}-" + "-".join(groups)
    if how == "fullwidth":
        return f"+{cc} {spaced}".translate(FULLWIDTH)
    if how == "ext":
        return f"+{cc} {spaced} " + rng.choice(["ext. ", "ext ", "x", "#"]) + str(rng.randrange(2, 999))
    if how == "label":
        if rng.random() < 0.5:
            return rng.choice(LABELS_BEFORE) + f"+{cc} {spaced}"
        return f"+{cc} {spaced}" + rng.choice(LABELS_AFTER)
    if how == "float":
        return f"{cc}{digits}.0"
    if how == "national":
        if cc == "1":
            return f"({groups[0]}) {groups[1]}-{groups[2]}"
        return f"{trunk}{spaced}" if trunk else spaced
    if how == "junk":
        return rng.choice(JUNK)
    if how == "excel":
        d = cc + digits
        return f"{d[0]}.{d[1:6]}E+{len(d) - 1}"
    if how == "short":
        return f"+{cc} {groups[0]}"
    raise ValueError(how)


def new_person(rng):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    region = REGIONS[rng.choices(range(len(REGIONS)), REGION_WEIGHTS)[0]]
    numbers = [(region, make_number(rng, region)) for _ in range(1 if rng.random() < 0.6 else 2)]
    # Digits keep addresses unique to a person, as they are in real lists.
    local = rng.choice([f"{first}.{last}{rng.randrange(100, 10000)}",
                        f"{first[0]}{last}{rng.randrange(10, 10000)}",
                        f"{first}{rng.randrange(1000, 100000)}",
                        f"{first}_{last}{rng.randrange(10, 1000)}"])
    local = "".join(c for c in local.lower() if c.isascii() and (c.isalnum() or c in "._"))
    if rng.random() < 0.3:
        domain = (f"{rng.choice(CO_A).lower()}{rng.choice(CO_B).lower()}"
                  f".{rng.choice(['com', 'co', 'io', 'net', 'de'])}")
    else:
        domain = rng.choice(DOMAINS)
    company = ""
    if rng.random() < 0.9:
        company = f"{rng.choice(CO_A)} {rng.choice(CO_B)} {rng.choice(CO_C)}".strip()
    return {"first": first, "last": last, "numbers": numbers,
            "email": f"{local or 'contact'}@{domain}", "company": company}


def render_email(rng, email):
    r = rng.random()
    if r < 0.12:
        return ""
    if r < 0.15:  # invalid
        local, domain = email.split("@")
        return rng.choice([f"{local}@", f"{local}@@{domain}", f"{local} {domain}",
                           f"{local}.{domain}", f"{local}@{domain}.", "n/a"])
    if r < 0.72:
        return email
    if r < 0.92:
        local, domain = email.split("@")
        return ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.capitalize()
    if r < 0.97:
        return email.upper()
    return f" {email} "


def phone_cell(rng, person, which, p):
    if rng.random() >= p:
        return ""
    region, groups = person["numbers"][0 if which == "Phone" else -1]
    if which == "WhatsApp" and rng.random() < 0.6:
        how = rng.choice(["wa_id", "e164"])
    else:
        how = rng.choices(R_NAMES, R_WEIGHTS)[0]
    return render(rng, region, groups, how)


def salesforce_id(i):
    """A unique 18-character CRM id (Salesforce style: prefix, zeros, base-62 counter)."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    tail = ""
    for _ in range(8):
        i, r = divmod(i, 62)
        tail = alphabet[r] + tail
    return "0035g00000" + tail


def generate(rows, seed, out):
    rng = random.Random(seed)
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "First Name", "Last Name", "Phone", "Mobile", "WhatsApp", "Email",
                "Company", "Notes"])
    pool = []  # earlier people that may re-appear (bounded, so memory stays flat)
    for i in range(rows):
        if pool and rng.random() < 0.10:
            k = rng.randrange(len(pool))
            person = pool[k]
            if rng.random() < 0.7:  # most people appear twice, some three times or more
                pool[k] = pool[-1]
                pool.pop()
        else:
            person = new_person(rng)
            if len(pool) < 50_000:
                pool.append(person)
            else:
                pool[rng.randrange(len(pool))] = person
        first, last = person["first"], person["last"]
        if rng.random() < 0.05:
            first, last = first.upper(), last.upper()
        mobile = phone_cell(rng, person, "Mobile", 0.60)
        whatsapp = phone_cell(rng, person, "WhatsApp", 0.35)
        if mobile and whatsapp and rng.random() < 0.25:
            whatsapp = mobile  # exported from the same field twice
        note = rng.choice(NOTES) if rng.random() < 0.75 else ""
        w.writerow([salesforce_id(5_000_000 + i), first, last,
                    phone_cell(rng, person, "Phone", 0.50),
                    mobile,
                    whatsapp,
                    render_email(rng, person["email"]), person["company"], note])


def stats(path):
    """Bytes per row, phone cells per row, distinct share of phone strings."""
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        next(r)
        rows, cells = 0, []
        for rec in r:
            rows += 1
            cells.extend(c for c in rec[3:6] if c)
    size = os.path.getsize(path)
    print(f"{rows} rows, {size / rows:.1f} bytes/row, {len(cells) / rows:.2f} phone cells/row, "
          f"{len(set(cells)) / len(cells):.1%} of phone strings distinct", file=sys.stderr)


def verify(binary, per_pattern=200):
    """Renders every pattern of every region in each valid rendering; prints the valid share."""
    rng = random.Random(1)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["region", "rendering", "Phone"])
    for region in REGIONS:
        for _ in range(per_pattern * len(region[4])):
            groups = make_number(rng, region)
            for how in VALID_RENDERINGS:
                w.writerow([region[0], how, render(rng, region, groups, how)])
    out = subprocess.run([binary, "normalize", "-q"], input=buf.getvalue().encode(),
                         capture_output=True, check=True).stdout.decode()
    total, bad = collections.Counter(), collections.Counter()
    examples = {}
    for rec in csv.DictReader(io.StringIO(out)):
        key = (rec["region"], rec["rendering"])
        total[key] += 1
        flags = [f for f in rec["flags"].split(";") if f and "extension" not in f]
        if flags:
            bad[key] += 1
            examples.setdefault(rec["region"], (rec["Phone"], rec["flags"]))
    n, b = sum(total.values()), sum(bad.values())
    print(f"valid renderings: {n - b}/{n} valid ({(n - b) / n:.2%})")
    for region in REGIONS:
        rb = sum(v for (r, _), v in bad.items() if r == region[0])
        if rb:
            rt = sum(v for (r, _), v in total.items() if r == region[0])
            print(f"  {region[0]}: {rb}/{rt} invalid, e.g. {examples[region[0]]}")
    return b / n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", help="output CSV file (default: stdout)")
    ap.add_argument("--stats", action="store_true", help="print bytes/row and phone stats")
    ap.add_argument("--verify", metavar="BIN", help="check the patterns with BIN normalize")
    a = ap.parse_args()
    if a.verify:
        sys.exit(0 if verify(a.verify) < 0.05 else 1)
    if a.out:
        with open(a.out, "w", newline="", encoding="utf-8") as f:
            generate(a.rows, a.seed, f)
        if a.stats:
            stats(a.out)
    else:
        generate(a.rows, a.seed, sys.stdout)


if __name__ == "__main__":
    main()
