//! WhatsApp identities (issue 14, `docs/whatsapp.md`): legacy `wa_id` forms rewritten or
//! linked, business-scoped user ids kept and linked, `--no-whatsapp-rules`.

mod common;

use common::*;

fn path(name: &str) -> String {
    fixture(name).to_str().unwrap().to_string()
}

/// The suggestions as (id, matched_on, key) per group, in output order.
fn groups(csv: &[u8]) -> Vec<Vec<(String, String, String)>> {
    let r = rows(csv);
    let (g, id, on, key) = (
        column(&r, "group"),
        column(&r, "id"),
        column(&r, "matched_on"),
        column(&r, "key"),
    );
    let mut out: Vec<Vec<(String, String, String)>> = Vec::new();
    for i in 0..g.len() {
        let n: usize = g[i].parse().unwrap();
        if out.len() < n {
            out.push(Vec::new());
        }
        out[n - 1].push((id[i].clone(), on[i].clone(), key[i].clone()));
    }
    out
}

fn member(id: &str, on: &str, key: &str) -> (String, String, String) {
    (id.into(), on.into(), key.into())
}

#[test]
fn the_issues_four_rows_are_rewritten_or_linked() {
    let p = path("whatsapp.csv");
    let out = String::from_utf8(ok(&["normalize", "-q", &p])).unwrap();
    assert_eq!(
        out,
        "id,Name,Phone,WhatsApp,Email,flags\n\
         crm-ana,Ana López,+525512345678,,ana@example.mx,\n\
         wa-ana,Ana,,+525512345678,,WhatsApp:legacy_whatsapp_id\n\
         crm-joao,João Silva,+5511987654321,,joao@example.com.br,\n\
         wa-joao,João,,+5511987654321,,WhatsApp:legacy_whatsapp_id\n\
         crm-luis,Luis Pérez,+541123456789,,luis@example.com.ar,\n\
         wa-luis,Luis,,+5491123456789,,\n\
         crm-kofi,Kofi Mensah,+2250745123456,,kofi@example.ci,\n\
         wa-kofi,Kofi,,22545123456,,WhatsApp:legacy_whatsapp_id\n"
    );
    assert_eq!(
        groups(&ok(&["dedupe", "-q", &p])),
        [
            vec![
                member("crm-ana", "phone", "+525512345678"),
                member("wa-ana", "phone", "+525512345678"),
            ],
            vec![
                member("crm-joao", "phone", "+5511987654321"),
                member("wa-joao", "phone", "+5511987654321"),
            ],
            vec![
                member("crm-luis", "ar_mobile_9", "+541123456789"),
                member("wa-luis", "ar_mobile_9", "+541123456789"),
            ],
            vec![
                member("crm-kofi", "ci_8_to_10_digits", "+2250745123456"),
                member("wa-kofi", "ci_8_to_10_digits", "22545123456"),
            ],
        ]
    );
    // Luis's row lists its own number, not the +54 form the rule added.
    let r = rows(&ok(&["dedupe", "-q", &p]));
    assert_eq!(column(&r, "phones")[5], "+5491123456789");
}

#[test]
fn no_whatsapp_rules_restores_todays_behaviour() {
    let p = path("whatsapp.csv");
    let out = String::from_utf8(ok(&["normalize", "-q", "--no-whatsapp-rules", &p])).unwrap();
    let flags = column(&rows(out.as_bytes()), "flags");
    assert_eq!(
        flags,
        [
            "",
            "WhatsApp:missing_country_code",
            "",
            "WhatsApp:missing_country_code",
            "",
            "",
            "",
            "WhatsApp:missing_country_code"
        ]
    );
    assert!(out.contains("wa-ana,Ana,,5215512345678,"), "{out}");
    assert_eq!(
        ok(&["dedupe", "-q", "--no-whatsapp-rules", &p]),
        b"group,row,id,survivor,matched_on,key,group_size,phones,emails,note,decision,input_fingerprint\n"
    );
    let (code, _, _) = run(&["check", "-q", "--no-whatsapp-rules", &p]);
    assert_eq!(code, 1, "three invalid cells without the rules");
}

#[test]
fn legacy_ids_are_not_invalid_for_check_but_can_be_gated_on() {
    let p = path("whatsapp.csv");
    let (code, out, err) = run(&["check", "-q", &p]);
    assert_eq!(code, 0, "{}{err}", String::from_utf8_lossy(&out));
    let (code, _, _) = run(&["check", "-q", "--fail-on", "legacy_whatsapp_id", &p]);
    assert_eq!(code, 1);
}

#[test]
fn normalize_is_idempotent_and_suggests_in_the_same_pass() {
    let p = path("whatsapp.csv");
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("s.csv");
    let first = ok(&["normalize", "-q", &p, "--suggestions", s.to_str().unwrap()]);
    assert_eq!(std::fs::read(&s).unwrap(), ok(&["dedupe", "-q", &p]));
    let (_d, again) = temp_file("again.csv", &first);
    let second = ok(&["normalize", "-q", again.to_str().unwrap()]);
    assert_eq!(
        String::from_utf8(second).unwrap(),
        String::from_utf8(first).unwrap(),
        "the legacy flag is carried by the flags column, the rewritten cells stay"
    );
    // The cleaned file still links the same rows (the old id is still an old id).
    assert_eq!(
        groups(&ok(&["dedupe", "-q", again.to_str().unwrap()])),
        groups(&ok(&["dedupe", "-q", &p]))
    );
}

#[test]
fn an_old_ivorian_id_that_two_numbers_fit_links_neither() {
    let p = path("whatsapp_ci_two_fits.csv");
    assert_eq!(
        ok(&["dedupe", "-q", &p]),
        b"group,row,id,survivor,matched_on,key,group_size,phones,emails,note,decision,input_fingerprint\n"
    );
    // The old ids are still kept verbatim with the informational flag.
    let out = rows(&ok(&["normalize", "-q", &p]));
    assert_eq!(
        column(&out, "WhatsApp"),
        ["", "", "22545123456", "+225 45 12 34 56"]
    );
    assert_eq!(
        column(&out, "flags"),
        [
            "",
            "",
            "WhatsApp:legacy_whatsapp_id",
            "WhatsApp:legacy_whatsapp_id"
        ]
    );
}

#[test]
fn a_shared_business_scoped_user_id_links_its_rows() {
    let p = path("whatsapp_user_ids.csv");
    let out = rows(&ok(&["normalize", "-q", &p]));
    assert_eq!(
        column(&out, "WhatsApp"),
        [
            "BR.1502576394655843",
            "BR.1502576394655843",
            "BR.1502576394655844",
            "US.ENT.11815799212886844830",
            "NO.PHONE"
        ]
    );
    assert_eq!(
        column(&out, "flags"),
        ["", "", "", "", "WhatsApp:not_a_number"]
    );
    assert_eq!(
        groups(&ok(&["dedupe", "-q", &p])),
        [vec![
            member("bsuid-1", "whatsapp_user_id", "BR.1502576394655843"),
            member("bsuid-2", "whatsapp_user_id", "BR.1502576394655843"),
        ]]
    );
    let (code, out, _) = run(&["dedupe", "-q", "--no-whatsapp-rules", &p]);
    assert_eq!(code, 0);
    assert_eq!(rows(&out).len(), 1, "no suggestions without the rules");
}

#[test]
fn the_option_is_on_every_subcommand() {
    for cmd in ["normalize", "dedupe", "check"] {
        let (code, out, _) = run(&[cmd, "--help"]);
        assert_eq!(code, 0);
        assert!(
            String::from_utf8_lossy(&out).contains("--no-whatsapp-rules"),
            "{cmd}"
        );
    }
}
