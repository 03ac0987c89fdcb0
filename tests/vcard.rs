//! vCard input end to end: the real binary on cards in the styles iPhone, Google, Android,
//! Outlook, Thunderbird and RFC 6350 write (fixtures/vcard/), checking byte for byte that only
//! the TEL and EMAIL values changed.

mod common;

use common::*;

/// The fixture's bytes with its line breaks made `eol`.
fn with_eol(name: &str, eol: &str) -> String {
    let text = std::fs::read_to_string(fixture(&format!("vcard/{name}"))).unwrap();
    text.replace('\n', eol)
}

/// Runs `normalize` on `input` (written as `name`) and returns the cleaned vCard.
fn normalize(name: &str, input: &[u8], extra: &[&str]) -> Vec<u8> {
    let (_dir, path) = temp_file(name, input);
    let out = path.with_file_name("clean.vcf");
    let mut args = vec![
        "normalize",
        "-q",
        path.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ok(&args);
    std::fs::read(&out).unwrap()
}

/// The output is the input with exactly these content lines' values replaced, for every line
/// ending the exporters use (LF, CR LF, and Apple's CR CR LF); and cleaning it again changes
/// nothing.
fn check_style(name: &str, extra: &[&str], edits: &[(&str, &str)]) {
    for eol in ["\n", "\r\n", "\r\r\n"] {
        let input = with_eol(name, eol);
        let mut want = input.clone();
        for (old, new) in edits {
            let old = format!("{old}{eol}");
            assert!(want.contains(&old), "{name}: {old:?} not in the fixture");
            want = want.replacen(&old, &format!("{new}{eol}"), 1);
        }
        let got = normalize(name, input.as_bytes(), extra);
        assert_eq!(
            String::from_utf8_lossy(&got),
            want,
            "{name} with {eol:?} line ends"
        );
        let again = normalize(name, &got, extra);
        assert_eq!(again, got, "{name}: normalize is idempotent");
    }
}

#[test]
fn iphone_groups_labels_and_photo() {
    check_style(
        "iphone.vcf",
        &["--default-region", "US"],
        &[
            (
                "item1.EMAIL;type=INTERNET;type=pref:John.Appleseed@Mac.COM",
                "item1.EMAIL;type=INTERNET;type=pref:john.appleseed@mac.com",
            ),
            (
                "TEL;type=CELL;type=VOICE;type=pref:(408) 555-5270",
                "TEL;type=CELL;type=VOICE;type=pref:+14085555270",
            ),
            (
                "TEL;type=HOME;type=VOICE:+1 (408) 555-1212",
                "TEL;type=HOME;type=VOICE:+14085551212",
            ),
            (
                "item2.TEL;type=pref:+1 408-555-0199",
                "item2.TEL;type=pref:+14085550199",
            ),
            (
                "item1.TEL;type=pref:+1 415 555 3695",
                "item1.TEL;type=pref:+14155553695",
            ),
            (
                "EMAIL;type=INTERNET;type=WORK:kate-bell@MAC.com",
                "EMAIL;type=INTERNET;type=WORK:kate-bell@mac.com",
            ),
        ],
    );
}

#[test]
fn google_typed_untyped_and_custom_labels() {
    check_style(
        "google.vcf",
        &["--default-region", "US"],
        &[
            (
                "EMAIL;TYPE=INTERNET;TYPE=HOME:Maria.Garcia@Gmail.com",
                "EMAIL;TYPE=INTERNET;TYPE=HOME:maria.garcia@gmail.com",
            ),
            (
                "EMAIL;TYPE=INTERNET;TYPE=WORK:m.garcia@EXAMPLE.org",
                "EMAIL;TYPE=INTERNET;TYPE=WORK:m.garcia@example.org",
            ),
            ("TEL;TYPE=CELL:905-555-1234", "TEL;TYPE=CELL:+19055551234"),
            ("TEL:+34 612 34 56 78", "TEL:+34612345678"),
            ("item1.TEL:+1 213-555-0142", "item1.TEL:+12135550142"),
            (
                "TEL;TYPE=CELL:+234 803 123 4567",
                "TEL;TYPE=CELL:+2348031234567",
            ),
        ],
    );
}

#[test]
fn android_21_bare_types_and_quoted_printable() {
    check_style(
        "android.vcf",
        &[],
        &[
            (
                "TEL;CELL;PREF:+44 7911 123456",
                "TEL;CELL;PREF:+447911123456",
            ),
            ("TEL;HOME:+44 20 7946 0018", "TEL;HOME:+442079460018"),
            (
                "EMAIL;PREF;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=4Aose.Nu=C3=B1ez@Example.COM",
                "EMAIL;PREF;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:jose.nu=C3=B1ez@example.com",
            ),
            ("EMAIL;HOME:Jose@Example.com", "EMAIL;HOME:jose@example.com"),
            ("TEL;WORK:0044 161 496 0000", "TEL;WORK:+441614960000"),
        ],
    );
}

#[test]
fn outlook_21() {
    check_style(
        "outlook.vcf",
        &[],
        &[
            (
                "TEL;WORK;VOICE:+1 (425) 555-0100",
                "TEL;WORK;VOICE:+14255550100",
            ),
            (
                "TEL;CELL;VOICE:+1 425 555 0101",
                "TEL;CELL;VOICE:+14255550101",
            ),
            (
                "TEL;WORK;FAX:+1 (425) 555-0102",
                "TEL;WORK;FAX:+14255550102",
            ),
            (
                "EMAIL;PREF;INTERNET:Jane.Smith@Contoso.COM",
                "EMAIL;PREF;INTERNET:jane.smith@contoso.com",
            ),
        ],
    );
}

#[test]
fn thunderbird_40_invalid_values_stay_verbatim() {
    check_style(
        "thunderbird.vcf",
        &[],
        &[
            (
                "EMAIL;PREF=1:Pat.Lee@Example.NET",
                "EMAIL;PREF=1:pat.lee@example.net",
            ),
            (
                "EMAIL;TYPE=work:pat@WORK.example",
                "EMAIL;TYPE=work:pat@work.example",
            ),
            (
                "TEL;TYPE=cell;VALUE=TEXT:+49 30 901820",
                "TEL;TYPE=cell;VALUE=TEXT:+4930901820",
            ),
        ],
    );
}

#[test]
fn rfc6350_tel_uris_stay_uris() {
    check_style(
        "rfc6350.vcf",
        &[],
        &[
            (
                "TEL;VALUE=uri;TYPE=\"work,voice\";PREF=1:tel:+1-418-656-9254;ext=102",
                "TEL;VALUE=uri;TYPE=\"work,voice\";PREF=1:tel:+14186569254;ext=102",
            ),
            (
                "TEL;VALUE=uri;TYPE=\"work,cell,voice,video,text\":tel:+1-418-262-6501",
                "TEL;VALUE=uri;TYPE=\"work,cell,voice,video,text\":tel:+14182626501",
            ),
        ],
    );
}

/// A photo of hundreds of folded base64 lines, a folded TEL value and unknown X- properties:
/// only the TEL value changes (its line unfolded), every other byte is kept.
#[test]
fn photos_and_folded_values() {
    let mut card = String::from("BEGIN:VCARD\r\r\nVERSION:3.0\r\r\nFN:Big Photo\r\r\n");
    card.push_str("PHOTO;ENCODING=b;TYPE=JPEG:");
    for i in 0..400 {
        card.push_str(&format!("{:0>74}\r\r\n ", i));
    }
    card.push_str("END=\r\r\n");
    card.push_str("X-CUSTOM;X-PARAM=\"a:b\":keep me\r\r\n");
    card.push_str("TEL;TYPE=CELL:+65 9123\r\r\n  4567\r\r\n");
    card.push_str("TEL:＋４２０ ６０１ ５８６ ５１８\r\r\n");
    card.push_str("END:VCARD\r\r\n");
    let got = normalize("photo.vcf", card.as_bytes(), &[]);
    let want = card
        .replace(
            "TEL;TYPE=CELL:+65 9123\r\r\n  4567\r\r\n",
            "TEL;TYPE=CELL:+6591234567\r\r\n",
        )
        .replace("TEL:＋４２０ ６０１ ５８６ ５１８", "TEL:+420601586518");
    assert_eq!(String::from_utf8(got).unwrap(), want);
}

#[test]
fn vcard_to_import_csv() {
    let path = fixture("vcard/iphone.vcf");
    let (_dir, tmp) = temp_file("x", b"");
    let out = tmp.with_file_name("import.csv");
    ok(&[
        "normalize",
        "-q",
        path.to_str().unwrap(),
        "--default-region",
        "US",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "First Name,Last Name,Full Name,Organization,Mobile,Home,Work,Assistant,Email,flags\n\
         John,Appleseed,John Appleseed,Apple Inc.,+14085555270,+14085551212,,+14085550199,john.appleseed@mac.com,\n\
         Kate,Bell,Kate Bell,,+14155553695,,+1 (555) 564-8583,,kate-bell@mac.com,Work:invalid_number\n"
    );
    // Several numbers of one type share one cell; the UID is the id column.
    let vcf = "BEGIN:VCARD\nVERSION:3.0\nUID:u-1\nFN:A\nTEL;TYPE=CELL:+65 9123 4567\n\
               TEL;TYPE=CELL:+65 8123 4567\nEMAIL:A@X.COM\nEMAIL:b@y.com\nEND:VCARD\n\
               BEGIN:VCARD\nVERSION:3.0\nFN:B\nTEL;TYPE=HOME:+44 20 7946 0018\nEND:VCARD\n";
    let (code, out, err) = run_stdin(&["normalize", "-q", "--to", "csv"], vcf.as_bytes());
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "UID,First Name,Last Name,Full Name,Organization,Mobile,Home,Email,Email 2,flags\n\
         u-1,,,A,,+6591234567;+6581234567,,a@x.com,b@y.com,\n\
         ,,,B,,,+442079460018,,,\n"
    );
    // On stdout a vCard input gives vCard.
    let (code, out, _) = run_stdin(&["normalize", "-q"], vcf.as_bytes());
    assert_eq!(code, 0);
    assert!(String::from_utf8(out)
        .unwrap()
        .contains("TEL;TYPE=CELL:+6591234567\n"));
}

#[test]
fn flags_go_to_summary_report_and_rejects_not_the_card() {
    let path = fixture("vcard/thunderbird.vcf");
    let (_dir, tmp) = temp_file("x", b"");
    let rejects = tmp.with_file_name("rejects.csv");
    let report = tmp.with_file_name("report.json");
    let (code, out, err) = run(&[
        "normalize",
        path.to_str().unwrap(),
        "--rejects",
        rejects.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(String::from_utf8(out)
        .unwrap()
        .contains("TEL;TYPE=home;VALUE=TEXT:not a number\n"));
    assert!(err.contains("invalid by reason: not_a_number 1"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&rejects).unwrap(),
        "card,line,UID,property,value,reason\n\
         1,9,2b9f3c1e-7d0c-4c7e-9c53-5f3b8a1e0c11,TEL;TYPE=home;VALUE=TEXT,not a number,not_a_number\n"
    );
    let report = std::fs::read_to_string(&report).unwrap();
    assert!(report.contains("Home:not_a_number"), "{report}");
}

#[test]
fn malformed_cards_are_errors_or_flagged_with_flexible() {
    let vcf = "BEGIN:VCARD\nVERSION:3.0\nFN:A\nTEL:+65 9123 4567\nEND:VCARD\n\
               BEGIN:VCARD\nVERSION:3.0\nFN:B\nTEL:+65 8123 4567\n\
               BEGIN:VCARD\nVERSION:3.0\nFN:C\nNOTE:a long note that was folded\nbut lost its space\nEND:VCARD\n\
               BEGIN:VCARD\nVERSION:3.0\nFN:D\nEMAIL:D@X.COM\nEND:VCARD\n";
    let (_dir, path) = temp_file("bad.vcf", vcf.as_bytes());
    let (code, out, err) = run(&["normalize", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("record 2 (line 6): card 2: no END:VCARD"),
        "{err}"
    );
    let (code, out, err) = run(&["normalize", "-q", "--flexible", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let want = vcf
        .replace("+65 9123 4567", "+6591234567")
        .replace("D@X.COM", "d@x.com");
    assert_eq!(String::from_utf8(out).unwrap(), want);
    let (code, out, _) = run(&[
        "normalize",
        "-q",
        "--flexible",
        "--to",
        "csv",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("\n,,,,,,row:malformed\n"), "{out}");
    // A broken folded line alone.
    let broken = "BEGIN:VCARD\nVERSION:3.0\nNOTE:folded\nbadly\nEND:VCARD\n";
    let (code, _, err) = run_stdin(&["normalize"], broken.as_bytes());
    assert_eq!(code, 1);
    assert!(
        err.contains("record 1 (line 4): card 1: \"badly\" is not a property"),
        "{err}"
    );
}

#[test]
fn format_by_extension_confirmed_by_content() {
    let (_dir, path) = temp_file("contacts.vcf", b"name,phone\nA,+6591234567\n");
    let (code, _, err) = run(&["normalize", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("not a vCard"), "{err}");
    let out = ok(&[
        "normalize",
        "-q",
        "--input-format",
        "csv",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out, b"name,phone,flags\nA,+6591234567,\n");
    // vCard output needs a vCard input.
    let (code, _, err) = run_stdin(&["normalize", "--to", "vcf"], b"phone\n1\n");
    assert_eq!(code, 2, "{err}");
}

#[test]
fn dedupe_and_check_take_vcards() {
    let vcf = "BEGIN:VCARD\nVERSION:3.0\nUID:first\nFN:Ana\nTEL:+65 9123 4567\nEND:VCARD\n\
               BEGIN:VCARD\nVERSION:3.0\nUID:second\nFN:Ana D\nTEL;CELL:+6591234567\nEND:VCARD\n";
    let (code, out, err) = run_stdin(&["dedupe", "-q"], vcf.as_bytes());
    assert_eq!(code, 0, "{err}");
    let r = rows(&out);
    assert_eq!(column(&r, "row"), ["1", "2"]);
    assert_eq!(column(&r, "id"), ["first", "second"]);
    let (code, _, err) = run_stdin(&["check", "-q"], vcf.as_bytes());
    assert_eq!(code, 0, "{err}");
}

/// The example of the README and docs/input.md.
#[test]
fn readme_example() {
    let path = fixture("vcard/google.vcf");
    let (_dir, tmp) = temp_file("x", b"");
    let out = tmp.with_file_name("import.csv");
    let rejects = tmp.with_file_name("fix-me.csv");
    ok(&[
        "normalize",
        "-q",
        path.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "First Name,Last Name,Full Name,Organization,Mobile,Other,GRAND_CENTRAL,Email,Email 2,flags\n\
         Maria,García,Maria García,Globex,905-555-1234,+34612345678,+12135550142,maria.garcia@gmail.com,m.garcia@example.org,Mobile:missing_country_code\n\
         Sam,Okafor,Sam Okafor,,+2348031234567,,,sam at example dot com,,Email:invalid_email\n"
    );
    let clean = tmp.with_file_name("clean.vcf");
    ok(&[
        "normalize",
        "-q",
        path.to_str().unwrap(),
        "-o",
        clean.to_str().unwrap(),
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read_to_string(&rejects).unwrap(),
        "card,line,UID,property,value,reason\n\
         1,7,,TEL;TYPE=CELL,905-555-1234,missing_country_code\n\
         2,20,,EMAIL;TYPE=INTERNET,sam at example dot com,invalid_email\n"
    );
}
