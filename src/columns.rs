//! Which columns hold phones, emails and ids: found from the header, or named by the user.

use std::fmt;

/// What a column is cleaned as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Phone,
    Email,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Phone => "phone",
            Kind::Email => "email",
        })
    }
}

/// The columns a run works on, by index into the header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// Contact columns in header order.
    pub contact: Vec<(usize, Kind)>,
    /// An existing flags column (recomputed in place), if the header has one.
    pub flags: Option<usize>,
    /// The id column, for merge suggestions.
    pub id: Option<usize>,
}

/// What the user named explicitly.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub phone: Vec<String>,
    pub email: Vec<String>,
    pub id: Option<String>,
    pub flags_name: String,
}

/// A column the user named is not in the header.
#[derive(Debug, PartialEq, Eq)]
pub struct MissingColumn {
    pub option: &'static str,
    pub name: String,
    pub header: Vec<String>,
}

impl fmt::Display for MissingColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:?}: no such column (the header has: {})",
            self.option,
            self.name,
            self.header.join(", ")
        )
    }
}

impl std::error::Error for MissingColumn {}

/// The header name's words, lower-cased: `Work E-mail` → [work, e, mail].
fn words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// True for a header that names a phone column (`Phone`, `Work Phone`, `mobile_number`,
/// `WhatsApp`, `MSISDN`, `Tel`, `Cell`, …).
pub fn is_phone_header(name: &str) -> bool {
    const SUBSTRINGS: [&str; 7] = [
        "phone",
        "mobile",
        "whatsapp",
        "msisdn",
        "telephone",
        "telefon",
        "handy",
    ];
    const WORDS: [&str; 9] = [
        "tel",
        "cell",
        "mob",
        "wa",
        "waid",
        "wa_id",
        "telefono",
        "teléfono",
        "celular",
    ];
    let lower = name.to_lowercase();
    SUBSTRINGS.iter().any(|s| lower.contains(s))
        || words(name).iter().any(|w| WORDS.contains(&w.as_str()))
}

/// True for a header that names an email column (`Email`, `Work E-mail`, `email_address`).
pub fn is_email_header(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower.contains("email") || lower.contains("e-mail") || lower.contains("e_mail") || {
        let w = words(name);
        w.windows(2).any(|p| p[0] == "e" && p[1] == "mail") || w.iter().any(|x| x == "mail")
    }
}

/// True for a header that names a contact's id (`id`, `contact_id`, `Contact ID`, `uuid`, …).
pub fn is_id_header(name: &str) -> bool {
    const OWNERS: [&str; 9] = [
        "contact", "record", "customer", "user", "external", "lead", "person", "member", "crm",
    ];
    let w = words(name);
    match w.as_slice() {
        [x] => x == "id" || x == "uuid" || x == "contactid",
        [owner, id] => id == "id" && OWNERS.contains(&owner.as_str()),
        _ => false,
    }
}

impl Layout {
    /// Picks the columns: named ones must exist; otherwise they are detected from the header.
    /// Naming any phone (or email) column turns detection off for that kind.
    pub fn detect(header: &[String], sel: &Selection) -> Result<Layout, MissingColumn> {
        let find = |option: &'static str, name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
                .ok_or_else(|| MissingColumn {
                    option,
                    name: name.to_string(),
                    header: header.to_vec(),
                })
        };
        let flags = header.iter().position(|h| *h == sel.flags_name);
        let mut kinds: Vec<Option<Kind>> = vec![None; header.len()];
        for name in &sel.phone {
            kinds[find("--phone-column", name)?] = Some(Kind::Phone);
        }
        for name in &sel.email {
            kinds[find("--email-column", name)?] = Some(Kind::Email);
        }
        for (i, h) in header.iter().enumerate() {
            if kinds[i].is_some() || Some(i) == flags {
                continue;
            }
            if sel.email.is_empty() && is_email_header(h) {
                kinds[i] = Some(Kind::Email);
            } else if sel.phone.is_empty() && is_phone_header(h) {
                kinds[i] = Some(Kind::Phone);
            }
        }
        let id = match &sel.id {
            Some(name) => Some(find("--id-column", name)?),
            None => header
                .iter()
                .enumerate()
                .position(|(i, h)| kinds[i].is_none() && Some(i) != flags && is_id_header(h)),
        };
        let contact = kinds
            .iter()
            .enumerate()
            .filter_map(|(i, k)| k.map(|k| (i, k)))
            .collect();
        Ok(Layout { contact, flags, id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn detects_common_headers() {
        for h in [
            "phone",
            "Phone Number",
            "phone_number",
            "Mobile",
            "mobile phone",
            "Cell",
            "cellphone",
            "Telephone",
            "tel",
            "WhatsApp",
            "MSISDN",
            "Work Phone",
        ] {
            assert!(is_phone_header(h), "{h}");
        }
        for h in ["Hotel", "Notes", "Cellar", "id", "Email"] {
            assert!(!is_phone_header(h), "{h}");
        }
        for h in ["email", "Email", "E-mail", "Work E-mail", "email_address"] {
            assert!(is_email_header(h), "{h}");
        }
        for h in ["id", "ID", "contact_id", "Contact ID", "uuid"] {
            assert!(is_id_header(h), "{h}");
        }
        assert!(!is_id_header("company"));
    }

    #[test]
    fn layout_from_header() {
        let sel = Selection {
            flags_name: "flags".into(),
            ..Default::default()
        };
        let l = Layout::detect(&header(&["id", "Name", "Phone", "flags", "Email"]), &sel).unwrap();
        assert_eq!(l.contact, vec![(2, Kind::Phone), (4, Kind::Email)]);
        assert_eq!(l.flags, Some(3));
        assert_eq!(l.id, Some(0));
    }

    #[test]
    fn named_columns_must_exist() {
        let sel = Selection {
            phone: vec!["Kontakt".into()],
            flags_name: "flags".into(),
            ..Default::default()
        };
        let l = Layout::detect(&header(&["name", "Kontakt", "Phone"]), &sel).unwrap();
        assert_eq!(l.contact, vec![(1, Kind::Phone)]);
        let sel = Selection {
            phone: vec!["Nope".into()],
            flags_name: "flags".into(),
            ..Default::default()
        };
        assert!(Layout::detect(&header(&["name"]), &sel).is_err());
    }
}
