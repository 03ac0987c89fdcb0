//! Real exporters' files (`fixtures/exports/`, headers as documented in docs/exports.md): only
//! phone and email value cells are cleaned and flagged; companion columns (types, labels,
//! display names) and everything else come out as they went in; shared lines (fax, pager,
//! switchboard, assistant) are cleaned but never link rows.

mod common;

use common::*;

/// One export fixture and what `normalize` must make of it.
struct Export {
    fixture: &'static str,
    /// Extra arguments (`--encoding …`).
    args: &'static [&'static str],
    /// The stderr line listing the columns, after `contactclean: PATH: `.
    columns: &'static str,
    /// The phone and email value columns: the only ones that may change.
    cleaned: &'static [&'static str],
    /// Every changed cell: (data row from 1, column, new value).
    changes: &'static [(usize, &'static str, &'static str)],
    /// The flags cell of each data row.
    flags: &'static [&'static str],
}

/// Reads a fixture as text (the cp1252 one decoded), as CSV rows.
fn input_rows(e: &Export) -> Vec<Vec<String>> {
    let bytes = std::fs::read(fixture(e.fixture)).unwrap();
    let text = if e.args.contains(&"windows-1252") {
        encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned()
    } else {
        String::from_utf8(bytes).unwrap()
    };
    rows(text.as_bytes())
}

fn check(e: &Export) {
    let path = fixture(e.fixture);
    let p = path.to_str().unwrap();
    let mut args = vec!["normalize"];
    args.extend_from_slice(e.args);
    args.push(p);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{}: {err}", e.fixture);
    let want_line = format!("contactclean: {p}: {}", e.columns);
    assert!(
        err.lines().any(|l| l == want_line),
        "{}: columns line\nwant: {want_line}\ngot:  {err}",
        e.fixture
    );
    let input = input_rows(e);
    let out = rows(&out);
    let mut header = input[0].clone();
    header.push("flags".into());
    assert_eq!(out[0], header, "{}: header", e.fixture);
    assert_eq!(
        out.len(),
        input.len(),
        "{}: one record out per record in",
        e.fixture
    );
    for c in e.cleaned {
        assert!(
            input[0].iter().any(|h| h == c),
            "{}: no column {c}",
            e.fixture
        );
    }
    for (row, cells) in out.iter().enumerate().skip(1) {
        for (col, name) in input[0].iter().enumerate() {
            let change = e.changes.iter().find(|(r, c, _)| *r == row && c == name);
            let want = change.map_or(input[row][col].as_str(), |(_, _, v)| *v);
            assert_eq!(cells[col], want, "{}: row {row}, column {name}", e.fixture);
            if change.is_some() {
                assert!(
                    e.cleaned.contains(&name.as_str()),
                    "{}: {name} is not a value column",
                    e.fixture
                );
            }
        }
        assert_eq!(
            cells[header.len() - 1],
            e.flags[row - 1],
            "{}: row {row} flags",
            e.fixture
        );
    }
    assert_eq!(e.flags.len(), out.len() - 1, "{}: rows", e.fixture);
}

/// `dedupe -q FIXTURE ARGS…` as rows (header first).
fn dedupe(name: &str, args: &[&str]) -> Vec<Vec<String>> {
    let p = fixture(name);
    let mut a = vec!["dedupe", "-q", p.to_str().unwrap()];
    a.extend_from_slice(args);
    rows(&ok(&a))
}

const GOOGLE_OLD: Export = Export {
    fixture: "exports/google_old.csv",
    args: &[],
    columns: "phone columns: Phone 1 - Value, Phone 2 - Value, Phone 3 - Value; \
              email columns: E-mail 1 - Value, E-mail 2 - Value",
    cleaned: &[
        "Phone 1 - Value",
        "Phone 2 - Value",
        "Phone 3 - Value",
        "E-mail 1 - Value",
        "E-mail 2 - Value",
    ],
    changes: &[
        (1, "E-mail 1 - Value", "priya.nair@example.com"),
        (1, "Phone 1 - Value", "+919876543210"),
        (2, "Phone 1 - Value", "+447400123456"),
        (2, "Phone 2 - Value", "+442079460018"),
        (3, "E-mail 1 - Value", "weiling.lim@example.sg"),
        (3, "Phone 1 - Value", "+6591234567"),
    ],
    flags: &[
        "Phone 2 - Value:missing_country_code",
        "E-mail 1 - Value:invalid_email;Phone 3 - Value:not_a_number",
        "Phone 2 - Value:not_a_number",
    ],
};

const GOOGLE_CURRENT: Export = Export {
    fixture: "exports/google_current.csv",
    args: &[],
    columns: "phone columns: Phone 1 - Value, Phone 2 - Value, Phone 3 - Value; \
              email columns: E-mail 1 - Value, E-mail 2 - Value",
    cleaned: &[
        "Phone 1 - Value",
        "Phone 2 - Value",
        "Phone 3 - Value",
        "E-mail 1 - Value",
        "E-mail 2 - Value",
    ],
    changes: &[
        (1, "E-mail 1 - Value", "maria.garcia@example.es"),
        (1, "Phone 1 - Value", "+34612345678"),
        (2, "E-mail 1 - Value", "james@okafor-logistics.example"),
        (2, "Phone 1 - Value", "+12125550187"),
        (2, "Phone 3 - Value", "+12125550188"),
        (3, "Phone 1 - Value", "+819012345678"),
    ],
    flags: &[
        "Phone 2 - Value:missing_country_code",
        // `Mobile` in a value cell is flagged; the same word in `Phone 2 - Label` is not.
        "E-mail 2 - Value:invalid_email;Phone 2 - Value:not_a_number",
        "",
    ],
};

const OUTLOOK_EN_COLUMNS: &str = "phone columns: Assistant's Phone (not linked: shared line), \
    Business Fax (not linked: shared line), Business Phone, Business Phone 2, Callback, Car Phone, \
    Company Main Phone (not linked: shared line), Home Fax (not linked: shared line), Home Phone, \
    Home Phone 2, ISDN, Mobile Phone, Other Fax (not linked: shared line), Other Phone, \
    Pager (not linked: shared line), Primary Phone, Radio Phone, TTY/TDD Phone; \
    email columns: E-mail Address, E-mail 2 Address, E-mail 3 Address";

const OUTLOOK_EN_CLEANED: &[&str] = &[
    "Assistant's Phone",
    "Business Fax",
    "Business Phone",
    "Business Phone 2",
    "Callback",
    "Car Phone",
    "Company Main Phone",
    "Home Fax",
    "Home Phone",
    "Home Phone 2",
    "ISDN",
    "Mobile Phone",
    "Other Fax",
    "Other Phone",
    "Pager",
    "Primary Phone",
    "Radio Phone",
    "TTY/TDD Phone",
    "E-mail Address",
    "E-mail 2 Address",
    "E-mail 3 Address",
];

const OUTLOOK_EN: Export = Export {
    fixture: "exports/outlook_en.csv",
    args: &[],
    columns: OUTLOOK_EN_COLUMNS,
    cleaned: OUTLOOK_EN_CLEANED,
    changes: &[
        (1, "Assistant's Phone", "+442079460100"),
        (1, "Business Fax", "+442079460999"),
        (1, "Business Phone", "+442079460018"),
        (1, "Company Main Phone", "+442079460000"),
        (1, "Mobile Phone", "+447400123456"),
        (1, "E-mail Address", "sarah.miller@northwind.example"),
        (2, "Assistant's Phone", "+442079460100"),
        (2, "Business Fax", "+442079460999"),
        (2, "Company Main Phone", "+442079460000"),
        (2, "Home Phone", "+441614960123"),
        (2, "Pager", "+447623456789"),
        (3, "Mobile Phone", "+447400123456"),
        (3, "Other Phone", "+12125550123"),
        (3, "E-mail Address", "sarah.m@example.com"),
    ],
    flags: &[
        // `SMTP` and `Sarah Miller (Sarah.Miller@Northwind.example)` are left alone.
        "",
        // An Exchange (`EX`) address is not an SMTP address: flagged, kept.
        "Business Phone:missing_country_code;Mobile Phone:missing_country_code;\
         E-mail Address:invalid_email",
        "Home Phone:not_a_number;Other Phone:extension=45",
    ],
};

const OUTLOOK_SHARED_LINES: Export = Export {
    fixture: "exports/outlook_shared_lines.csv",
    args: &[],
    columns: OUTLOOK_EN_COLUMNS,
    cleaned: OUTLOOK_EN_CLEANED,
    changes: &[
        (1, "Assistant's Phone", "+442079460500"),
        (1, "Business Fax", "+442079460999"),
        (1, "Business Phone", "+442079460501"),
        (1, "Company Main Phone", "+442079460000"),
        (1, "Mobile Phone", "+447400111111"),
        (1, "Pager", "+447623000111"),
        (2, "Assistant's Phone", "+442079460500"),
        (2, "Business Fax", "+442079460999"),
        (2, "Business Phone", "+442079460502"),
        (2, "Company Main Phone", "+442079460000"),
        (2, "Mobile Phone", "+447400222222"),
        (2, "Pager", "+447623000111"),
        (3, "Assistant's Phone", "+442079460500"),
        (3, "Business Fax", "+442079460999"),
        (3, "Business Phone", "+442079460503"),
        (3, "Company Main Phone", "+442079460000"),
        (3, "Pager", "+447623000111"),
    ],
    flags: &["", "", ""],
};

const OUTLOOK_DE_COLUMNS: &str = "phone columns: Telefon Assistent (not linked: shared line), \
    Fax geschäftlich (not linked: shared line), Telefon geschäftlich, Telefon geschäftlich 2, \
    Rückmeldung, Autotelefon, Telefon Firma (not linked: shared line), \
    Fax privat (not linked: shared line), Telefon (privat), Telefon (privat 2), ISDN, \
    Mobiltelefon, Weiteres Fax (not linked: shared line), Weiteres Telefon, \
    Pager (not linked: shared line), Haupttelefon, Mobiltelefon 2, Telefon für Hörbehinderte; \
    email columns: E-Mail-Adresse, E-Mail 2: Adresse, E-Mail 3: Adresse";

const OUTLOOK_DE_CLEANED: &[&str] = &[
    "Telefon Assistent",
    "Fax geschäftlich",
    "Telefon geschäftlich",
    "Telefon geschäftlich 2",
    "Rückmeldung",
    "Autotelefon",
    "Telefon Firma",
    "Fax privat",
    "Telefon (privat)",
    "Telefon (privat 2)",
    "ISDN",
    "Mobiltelefon",
    "Weiteres Fax",
    "Weiteres Telefon",
    "Pager",
    "Haupttelefon",
    "Mobiltelefon 2",
    "Telefon für Hörbehinderte",
    "E-Mail-Adresse",
    "E-Mail 2: Adresse",
    "E-Mail 3: Adresse",
];

const OUTLOOK_DE_CHANGES: &[(usize, &str, &str)] = &[
    (1, "Telefon Assistent", "+4971112345620"),
    (1, "Fax geschäftlich", "+4971112345699"),
    (1, "Telefon geschäftlich", "+497111234560"),
    (1, "Telefon Firma", "+497111234560"),
    (1, "Mobiltelefon", "+491711234567"),
    (1, "E-Mail-Adresse", "c.baumann@mueller-soehne.example"),
    (2, "Fax geschäftlich", "+4971112345699"),
    (2, "Telefon Firma", "+497111234560"),
    (2, "Telefon (privat)", "+49301234567"),
    (3, "Mobiltelefon", "+33612345678"),
    (3, "Haupttelefon", "+33123456789"),
];

const OUTLOOK_DE_FLAGS: &[&str] = &[
    // `SMTP`, `Christian Baumann - Firma (c.baumann@mueller-soehne.example)`: left alone.
    "",
    "Telefon geschäftlich:missing_country_code;Pager:invalid_number;E-Mail-Adresse:invalid_email",
    "Weiteres Telefon:not_a_number",
];

const OUTLOOK_DE: Export = Export {
    fixture: "exports/outlook_de.csv",
    args: &[],
    columns: OUTLOOK_DE_COLUMNS,
    cleaned: OUTLOOK_DE_CLEANED,
    changes: OUTLOOK_DE_CHANGES,
    flags: OUTLOOK_DE_FLAGS,
};

/// What Outlook really writes in a German Windows: cp1252.
const OUTLOOK_DE_CP1252: Export = Export {
    fixture: "exports/outlook_de_cp1252.csv",
    args: &["--encoding", "windows-1252"],
    columns: OUTLOOK_DE_COLUMNS,
    cleaned: OUTLOOK_DE_CLEANED,
    changes: OUTLOOK_DE_CHANGES,
    flags: OUTLOOK_DE_FLAGS,
};

const OUTLOOK_COM: Export = Export {
    fixture: "exports/outlook_com.csv",
    args: &[],
    columns: "phone columns: Home Phone, Home Phone 2, Business Phone, Business Phone 2, \
              Mobile Phone, Car Phone, Other Phone, Primary Phone, Pager (not linked: shared line), \
              Business Fax (not linked: shared line), Home Fax (not linked: shared line), \
              Other Fax (not linked: shared line), Company Main Phone (not linked: shared line), \
              Callback, Radio Phone, TTY/TDD Phone, Assistant's Phone (not linked: shared line); \
              email columns: E-mail Address, E-mail 2 Address, E-mail 3 Address",
    cleaned: &[
        "Home Phone",
        "Home Phone 2",
        "Business Phone",
        "Business Phone 2",
        "Mobile Phone",
        "Car Phone",
        "Other Phone",
        "Primary Phone",
        "Pager",
        "Business Fax",
        "Home Fax",
        "Other Fax",
        "Company Main Phone",
        "Callback",
        "Radio Phone",
        "TTY/TDD Phone",
        "Assistant's Phone",
        "E-mail Address",
        "E-mail 2 Address",
        "E-mail 3 Address",
    ],
    changes: &[
        (1, "E-mail Address", "lucas.martin@outlook.example"),
        (1, "Home Phone", "+33123456789"),
        (1, "Mobile Phone", "+33612345678"),
        (1, "Business Fax", "+33123456700"),
        (2, "Mobile Phone", "+12125550142"),
        (2, "Company Main Phone", "+12125550100"),
    ],
    // `Telex` and `IMAddress` are not cleaned.
    flags: &["", "E-mail Address:invalid_email;Primary Phone:too_short"],
};

const HUBSPOT: Export = Export {
    fixture: "exports/hubspot.csv",
    args: &[],
    columns: "phone columns: Phone Number, Mobile Phone Number; \
              email columns: Email, Additional email addresses",
    cleaned: &[
        "Phone Number",
        "Mobile Phone Number",
        "Email",
        "Additional email addresses",
    ],
    changes: &[
        (1, "Email", "maria.johnson@hubspot-sample.example"),
        (1, "Phone Number", "+16175550111"),
        (2, "Phone Number", "+16175550133"),
        (3, "Phone Number", "+351912345678"),
    ],
    // `Email Domain` is not an address.
    flags: &[
        "Mobile Phone Number:missing_country_code",
        "Mobile Phone Number:not_a_number",
        "Additional email addresses:invalid_email",
    ],
};

const SALESFORCE: Export = Export {
    fixture: "exports/salesforce.csv",
    args: &[],
    columns: "phone columns: PHONE, FAX (not linked: shared line), MOBILEPHONE, HOMEPHONE, \
              OTHERPHONE, ASSISTANTPHONE (not linked: shared line); email columns: EMAIL",
    cleaned: &[
        "PHONE",
        "FAX",
        "MOBILEPHONE",
        "HOMEPHONE",
        "OTHERPHONE",
        "ASSISTANTPHONE",
        "EMAIL",
    ],
    changes: &[
        (1, "FAX", "+15127579000"),
        (1, "MOBILEPHONE", "+15127574561"),
        (1, "ASSISTANTPHONE", "+15127576001"),
        (1, "EMAIL", "rose@edge.example"),
        (2, "PHONE", "+15127576000"),
        (2, "FAX", "+15127579000"),
        (2, "MOBILEPHONE", "+15127574562"),
        (2, "ASSISTANTPHONE", "+15127576001"),
        (3, "MOBILEPHONE", "+819012345678"),
        (3, "OTHERPHONE", "+81312345678"),
    ],
    // HASOPTEDOUTOFEMAIL, ISEMAILBOUNCED, EMAILBOUNCEDREASON (`true`, `550 …`) are not addresses.
    flags: &[
        "PHONE:missing_country_code",
        "HOMEPHONE:missing_country_code;EMAIL:invalid_email",
        "",
    ],
};

const ZOHO: Export = Export {
    fixture: "exports/zoho.csv",
    args: &[],
    columns: "phone columns: Phone, Home Phone, Other Phone, Fax (not linked: shared line), \
              Mobile, Asst Phone (not linked: shared line); email columns: Email, Secondary Email",
    cleaned: &[
        "Phone",
        "Home Phone",
        "Other Phone",
        "Fax",
        "Mobile",
        "Asst Phone",
        "Email",
        "Secondary Email",
    ],
    changes: &[
        (1, "Email", "arjun.mehta@zylker.example"),
        (1, "Phone", "+918041234567"),
        (1, "Fax", "+918041234500"),
        (1, "Mobile", "+919845012345"),
        (1, "Asst Phone", "+918041234568"),
        (2, "Fax", "+918041234500"),
        (2, "Asst Phone", "+918041234568"),
    ],
    // `Email Opt Out` (`true`/`false`) is not an address.
    flags: &[
        "",
        "Phone:missing_country_code;Mobile:missing_country_code;Secondary Email:invalid_email",
    ],
};

const MAILCHIMP: Export = Export {
    fixture: "exports/mailchimp.csv",
    args: &[],
    columns: "phone columns: Phone Number; email columns: Email Address",
    cleaned: &["Phone Number", "Email Address"],
    changes: &[
        (1, "Email Address", "olivia.smith@example.com"),
        (1, "Phone Number", "+442079460321"),
    ],
    flags: &[
        "",
        "Email Address:invalid_email;Phone Number:missing_country_code",
    ],
};

#[test]
fn google_old_format() {
    check(&GOOGLE_OLD);
}

#[test]
fn google_current_format() {
    check(&GOOGLE_CURRENT);
}

#[test]
fn outlook_english() {
    check(&OUTLOOK_EN);
}

#[test]
fn outlook_german_utf8_and_cp1252() {
    check(&OUTLOOK_DE);
    check(&OUTLOOK_DE_CP1252);
    let utf8 = ok(&[
        "normalize",
        "-q",
        fixture("exports/outlook_de.csv").to_str().unwrap(),
    ]);
    let p = fixture("exports/outlook_de_cp1252.csv");
    let cp1252 = ok(&[
        "normalize",
        "-q",
        "--encoding",
        "windows-1252",
        p.to_str().unwrap(),
    ]);
    assert_eq!(utf8, cp1252, "same output from either encoding");
}

#[test]
fn outlook_com() {
    check(&OUTLOOK_COM);
}

#[test]
fn hubspot() {
    check(&HUBSPOT);
}

#[test]
fn salesforce() {
    check(&SALESFORCE);
}

#[test]
fn zoho() {
    check(&ZOHO);
}

#[test]
fn mailchimp() {
    check(&MAILCHIMP);
}

#[test]
fn shared_office_lines_are_cleaned_but_link_nobody() {
    check(&OUTLOOK_SHARED_LINES);
    // Three colleagues share the fax (in three spellings), switchboard, assistant and pager.
    let r = dedupe("exports/outlook_shared_lines.csv", &[]);
    assert_eq!(r.len(), 1, "no group: {r:?}");
    // Naming the fax column cleans it; it still does not link.
    let r = dedupe(
        "exports/outlook_shared_lines.csv",
        &["--phone-column", "Business Fax"],
    );
    assert_eq!(r.len(), 1, "no group: {r:?}");
    // The same in the CRMs: Salesforce FAX/ASSISTANTPHONE, Zoho Fax/Asst Phone.
    for name in ["exports/salesforce.csv", "exports/zoho.csv"] {
        let r = dedupe(name, &[]);
        assert_eq!(r.len(), 1, "{name}: no group: {r:?}");
    }
}

#[test]
fn a_real_duplicate_links_on_its_own_mobile_and_email_not_the_office_fax() {
    // Rows 1 and 3 are one person (the same mobile and private email); row 2 is a colleague
    // with the same fax, switchboard and assistant as row 1.
    let r = dedupe("exports/outlook_en.csv", &[]);
    assert_eq!(column(&r, "row"), ["1", "3"]);
    assert_eq!(column(&r, "group"), ["1", "1"]);
    assert_eq!(column(&r, "matched_on"), ["phone+email", "phone+email"]);
    assert_eq!(column(&r, "key")[0], "+447400123456;sarah.m@example.com");
    // The row's linking phones: its own numbers, not the shared lines.
    assert_eq!(column(&r, "phones")[0], "+442079460018;+447400123456");
}

#[test]
fn every_export_is_idempotent() {
    for (name, args) in [
        ("exports/google_old.csv", &[][..]),
        ("exports/google_current.csv", &[]),
        ("exports/outlook_en.csv", &[]),
        (
            "exports/outlook_de_cp1252.csv",
            &["--encoding", "windows-1252"],
        ),
        ("exports/outlook_com.csv", &[]),
        ("exports/hubspot.csv", &[]),
        ("exports/salesforce.csv", &[]),
        ("exports/zoho.csv", &[]),
        ("exports/mailchimp.csv", &[]),
    ] {
        let p = fixture(name);
        let mut a = vec!["normalize", "-q"];
        a.extend_from_slice(args);
        a.push(p.to_str().unwrap());
        let once = ok(&a);
        let (_d, tmp) = temp_file("once.csv", &once);
        let twice = ok(&["normalize", "-q", tmp.to_str().unwrap()]);
        assert_eq!(
            String::from_utf8_lossy(&twice),
            String::from_utf8_lossy(&once),
            "{name}"
        );
    }
}

/// Outlook leaves trailing empty fields out: `outlook_short.csv` is `outlook_en.csv` as Outlook
/// writes it (every record shorter than the header). It runs without `--flexible`, comes out
/// exactly as the full-width file does, and the short records are counted.
#[test]
fn outlook_short_records_are_padded_without_flexible() {
    let short = fixture("exports/outlook_short.csv");
    let full = fixture("exports/outlook_en.csv");
    let (code, out, err) = run(&["normalize", short.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, ok(&["normalize", "-q", full.to_str().unwrap()]));
    assert!(
        err.contains("short records padded with empty fields: 3 (first on line"),
        "{err}"
    );
    let report: serde_json::Value = serde_json::from_slice(&ok(&[
        "normalize",
        "-q",
        short.to_str().unwrap(),
        "-o",
        "/dev/null",
        "--report",
        "-",
    ]))
    .unwrap();
    assert_eq!(report["short_rows"]["rows"], 3);
    assert_eq!(report["short_rows"]["first_record"], 1);
    assert_eq!(report["ragged_rows"], 0);
}
