//! Which columns hold phones, emails and ids: found from the header through one vocabulary
//! table (`VOCABULARY`), or named by the user.

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
    /// Parallel to `contact`: whether the column's values are merge keys. False for shared
    /// lines (fax, pager, company main, assistant); a missing entry links.
    pub links: Vec<bool>,
    /// An existing flags column (recomputed in place), if the header has one.
    pub flags: Option<usize>,
    /// The id column, for merge suggestions.
    pub id: Option<usize>,
    /// The column naming each row's region (`--region-column`).
    pub region: Option<usize>,
}

/// What the user named explicitly.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub phone: Vec<String>,
    pub email: Vec<String>,
    pub id: Option<String>,
    pub flags_name: String,
    /// `--region-column`: the column whose cell gives each row's region.
    pub region: Option<String>,
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

/// What a header says its column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Phone numbers, cleaned. `links: false` for a shared line (fax, pager, switchboard,
    /// assistant): one office fax on every colleague's record would merge the whole company.
    Phone { links: bool },
    /// Email addresses, cleaned.
    Email,
    /// The contact's id, for merge suggestions.
    Id,
    /// Describes a phone or email value beside it (its type, label, display name, primary
    /// marker): `Phone 1 - Type` = `* Mobile`, `E-mail Type` = `SMTP`. Never cleaned.
    Companion,
    /// Anything else, including columns about an address that do not hold one (opt-outs,
    /// bounces, domains). Never cleaned.
    Other,
}

/// What a vocabulary entry says about a header that matches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cue {
    /// A phone column.
    Phone,
    /// A phone column on a shared line (fax, pager): a phone, but not a merge key.
    Shared,
    /// Makes a phone column a shared line (assistant, company main), not a phone on its own.
    SharedIf,
    /// An email column.
    Email,
    /// The id (whole-header entries only).
    Id,
    /// Turns a phone/email header into a companion: type, label, display name.
    Companion,
    /// Turns a phone/email header into an other column: about the address, not one.
    NotValue,
}

/// Every header word the tool knows, with what it says: one table, so a new exporter or
/// language is a new line here, not new code. Patterns match the lower-cased header:
/// `word` or `two words` — whole consecutive words (a word is a run of letters and digits, so
/// `E-Mail 2: Typ` is `e mail 2 typ`); `*text` — a substring (camel-case API names such as
/// `MOBILEPHONE`, compounds such as `Autotelefon`); `=words` — the whole header.
/// A header's role: an `Id` entry wins; a header with no phone or email cue is other; then a
/// `NotValue` cue makes it other, a `Companion` cue a companion; email beats phone; a phone
/// links unless a `Shared`/`SharedIf` cue matched.
const VOCABULARY: &[(&str, Cue)] = &[
    // Phones: English, CRM API names, and Outlook's translations (de, fr, es, pt, it, nl).
    ("*phone", Cue::Phone), // Phone, Mobile Phone, cellphone, MOBILEPHONE, Téléphone
    ("*mobile", Cue::Phone),
    ("*whatsapp", Cue::Phone),
    ("*msisdn", Cue::Phone),
    ("*telefon", Cue::Phone), // Telefon, Autotelefon, Mobiltelefon, telefono, Telefone
    ("*telefoon", Cue::Phone), // Telefoon werk, Autotelefoon, Mobiele telefoon
    ("*teléfono", Cue::Phone), // Otro teléfono, Radioteléfono
    ("*telemóvel", Cue::Phone),
    ("*telemovel", Cue::Phone),
    ("*handy", Cue::Phone),
    ("tel", Cue::Phone),
    ("tél", Cue::Phone), // Tél. mobile
    ("cell", Cue::Phone),
    ("mob", Cue::Phone),
    ("wa", Cue::Phone),
    ("waid", Cue::Phone),
    ("celular", Cue::Phone),
    ("cellulare", Cue::Phone),
    ("móvil", Cue::Phone),
    ("movil", Cue::Phone),
    ("portable", Cue::Phone),
    ("fone", Cue::Phone), // pt-BR: Fone comercial
    ("callback", Cue::Phone),
    ("=rückmeldung", Cue::Phone),           // de: Callback
    ("=rappel", Cue::Phone),                // fr: Callback
    ("richiamata", Cue::Phone),             // it: Richiamata automatica
    ("*terugbel", Cue::Phone),              // nl: Terugbelnummer
    ("=devolución de llamada", Cue::Phone), // es: Callback
    ("=chamada de retorno", Cue::Phone),    // pt: Callback
    ("isdn", Cue::Phone),
    ("rnis", Cue::Phone),          // fr: ISDN
    ("rdsi", Cue::Phone),          // es: ISDN
    ("rdis", Cue::Phone),          // pt: ISDN
    ("=particular", Cue::Phone),   // es: Home Phone
    ("=particular 2", Cue::Phone), // es: Home Phone 2
    ("=abitazione", Cue::Phone),   // it: Home Phone
    ("=abitazione 2", Cue::Phone), // it: Home Phone 2
    // Shared lines: phones, never merge keys.
    ("fax", Cue::Shared),
    ("telefax", Cue::Shared),
    ("faxnummer", Cue::Shared),
    ("télécopie", Cue::Shared), // fr: Télécopie (bureau)
    ("telecopie", Cue::Shared),
    ("pager", Cue::Shared),
    ("beeper", Cue::Shared),
    ("pieper", Cue::Shared),          // nl
    ("piepser", Cue::Shared),         // de
    ("radiomessagerie", Cue::Shared), // fr: Récepteur de radiomessagerie
    ("buscapersonas", Cue::Shared),   // es
    ("localizador", Cue::Shared),     // es: Outlook's Pager
    ("cercapersone", Cue::Shared),    // it
    ("centralita", Cue::Shared),      // es: Número de centralita de la organización
    // What makes a phone a shared line.
    ("*assist", Cue::SharedIf), // Assistant's Phone, ASSISTANTPHONE, Telefon Assistent
    ("*asistente", Cue::SharedIf),
    ("asst", Cue::SharedIf),     // Zoho: Asst Phone
    ("*company", Cue::SharedIf), // Company Main Phone
    ("firma", Cue::SharedIf),    // de: Telefon Firma
    ("société", Cue::SharedIf),  // fr: Téléphone société
    ("societe", Cue::SharedIf),
    ("società", Cue::SharedIf), // it: Telefono principale società
    ("empresa", Cue::SharedIf), // pt: Telefone principal da empresa
    ("bedrijf", Cue::SharedIf), // nl: Hoofdtelefoon bedrijf
    // Emails.
    ("*email", Cue::Email), // Email, email_address, EMAIL
    ("*e-mail", Cue::Email),
    ("*e_mail", Cue::Email),
    ("e mail", Cue::Email), // E-Mail 2: Adresse, E Mail
    ("mail", Cue::Email),
    ("courriel", Cue::Email),
    ("messagerie", Cue::Email), // fr: Adresse de messagerie
    ("correo electrónico", Cue::Email),
    ("correo electronico", Cue::Email),
    ("correio electrónico", Cue::Email),
    ("correio eletrônico", Cue::Email),
    ("correio eletronico", Cue::Email),
    ("correio electronico", Cue::Email),
    ("posta elettronica", Cue::Email), // it: Indirizzo posta elettronica
    // Ids: whole headers only (`Contact Owner.id`, `Skype ID` are not the contact's id).
    ("=id", Cue::Id),
    ("=uuid", Cue::Id),
    ("=contactid", Cue::Id),
    ("=contact id", Cue::Id),
    ("=record id", Cue::Id), // HubSpot, Zoho
    ("=customer id", Cue::Id),
    ("=user id", Cue::Id),
    ("=external id", Cue::Id),
    ("=lead id", Cue::Id),
    ("=person id", Cue::Id),
    ("=member id", Cue::Id),
    ("=crm id", Cue::Id),
    // Companions: a value's type, label, display name or primary marker.
    ("type", Cue::Companion), // Google old `Phone 1 - Type`, Outlook `E-mail Type`
    ("label", Cue::Companion), // Google current `Phone 1 - Label`
    ("kind", Cue::Companion),
    ("typ", Cue::Companion),      // de: E-Mail-Typ
    ("tipo", Cue::Companion),     // es/pt/it: Tipo de correo electrónico
    ("mailtype", Cue::Companion), // nl: E-mailtype
    ("display", Cue::Companion),  // E-mail Display Name
    ("name", Cue::Companion),
    ("angezeigter", Cue::Companion), // de: E-Mail: Angezeigter Name
    ("anzeigename", Cue::Companion),
    ("nom", Cue::Companion),    // fr: Nom complet de l'adresse de messagerie
    ("nombre", Cue::Companion), // es: Mostrar nombre de correo electrónico
    ("nome", Cue::Companion),   // it/pt: Nome visualizzato posta elettronica
    ("weergavenaam", Cue::Companion), // nl: Weergavenaam e-mail
    ("is primary", Cue::Companion),
    ("isprimary", Cue::Companion),
    // Not a value: a name's pronunciation, marketing status next to an email, bare parts.
    ("*phonetic", Cue::NotValue), // Google: Phonetic First Name
    ("*optedout", Cue::NotValue), // Salesforce HASOPTEDOUTOFEMAIL
    ("*optout", Cue::NotValue),
    ("opt out", Cue::NotValue), // Zoho Email Opt Out
    ("opted out", Cue::NotValue),
    ("*unsubscri", Cue::NotValue),
    ("*bounce", Cue::NotValue), // Salesforce ISEMAILBOUNCED, HubSpot Email hard bounce reason
    ("domain", Cue::NotValue),  // HubSpot Email Domain
    ("opened", Cue::NotValue),
    ("clicked", Cue::NotValue),
    ("delivered", Cue::NotValue),
    ("status", Cue::NotValue),
    ("verified", Cue::NotValue),
    ("consent", Cue::NotValue),
    ("date", Cue::NotValue),
    ("count", Cue::NotValue),
    ("extension", Cue::NotValue), // digits only: not a number on their own
    ("ext", Cue::NotValue),
    ("country code", Cue::NotValue),
];

/// The header name's words, lower-cased: `Work E-mail` → [work, e, mail].
fn words(lower: &str) -> Vec<&str> {
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

/// True when `pattern` (see [`VOCABULARY`]) matches the lower-cased header and its words.
fn matches(pattern: &str, lower: &str, words: &[&str]) -> bool {
    if let Some(sub) = pattern.strip_prefix('*') {
        lower.contains(sub)
    } else if let Some(whole) = pattern.strip_prefix('=') {
        whole.split(' ').eq(words.iter().copied())
    } else {
        let want: Vec<&str> = pattern.split(' ').collect();
        words.windows(want.len()).any(|w| w == want.as_slice())
    }
}

/// What `name` is, from `VOCABULARY` alone (the user's `--phone-column` etc. come on top).
pub fn role(name: &str) -> Role {
    let lower = name.to_lowercase();
    let w = words(&lower);
    let cues: Vec<Cue> = VOCABULARY
        .iter()
        .filter(|(p, _)| matches(p, &lower, &w))
        .map(|&(_, c)| c)
        .collect();
    let has = |c: Cue| cues.contains(&c);
    let phone = has(Cue::Phone) || has(Cue::Shared);
    if has(Cue::Id) {
        Role::Id
    } else if !phone && !has(Cue::Email) || has(Cue::NotValue) {
        Role::Other
    } else if has(Cue::Companion) {
        Role::Companion
    } else if has(Cue::Email) {
        Role::Email
    } else {
        Role::Phone {
            links: !has(Cue::Shared) && !has(Cue::SharedIf),
        }
    }
}

/// True for a header that names a phone column (`Phone`, `Work Phone`, `mobile_number`,
/// `WhatsApp`, `MSISDN`, `Tel`, `Cell`, `Business Fax`, …).
pub fn is_phone_header(name: &str) -> bool {
    matches!(role(name), Role::Phone { .. })
}

/// True for a header that names an email column (`Email`, `Work E-mail`, `email_address`).
pub fn is_email_header(name: &str) -> bool {
    role(name) == Role::Email
}

/// True for a header that names a contact's id (`id`, `contact_id`, `Contact ID`, `uuid`, …).
pub fn is_id_header(name: &str) -> bool {
    role(name) == Role::Id
}

impl Layout {
    /// Picks the columns: named ones must exist; otherwise they are detected from the header.
    /// Naming any phone (or email) column turns detection off for that kind. A named phone
    /// column still does not link when the vocabulary calls it a shared line.
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
        // A name the header repeats (two `phone` columns) names every column that bears it:
        // cleaning only the first would leave the other silently dirty.
        let find_all = |option: &'static str, name: &str| {
            let exact: Vec<usize> = (0..header.len()).filter(|&i| header[i] == name).collect();
            let found = if exact.is_empty() {
                (0..header.len())
                    .filter(|&i| header[i].eq_ignore_ascii_case(name))
                    .collect()
            } else {
                exact
            };
            if found.is_empty() {
                return Err(MissingColumn {
                    option,
                    name: name.to_string(),
                    header: header.to_vec(),
                });
            }
            Ok(found)
        };
        let flags = header.iter().position(|h| *h == sel.flags_name);
        let roles: Vec<Role> = header.iter().map(|h| role(h)).collect();
        let mut kinds: Vec<Option<Kind>> = vec![None; header.len()];
        for name in &sel.phone {
            for i in find_all("--phone-column", name)? {
                kinds[i] = Some(Kind::Phone);
            }
        }
        for name in &sel.email {
            for i in find_all("--email-column", name)? {
                kinds[i] = Some(Kind::Email);
            }
        }
        let region = match &sel.region {
            Some(name) => Some(find("--region-column", name)?),
            None => None,
        };
        for (i, r) in roles.iter().enumerate() {
            if kinds[i].is_some() || Some(i) == flags || Some(i) == region {
                continue;
            }
            match r {
                Role::Email if sel.email.is_empty() => kinds[i] = Some(Kind::Email),
                Role::Phone { .. } if sel.phone.is_empty() => kinds[i] = Some(Kind::Phone),
                _ => {}
            }
        }
        let id = match &sel.id {
            Some(name) => Some(find("--id-column", name)?),
            None => (0..header.len())
                .position(|i| kinds[i].is_none() && Some(i) != flags && roles[i] == Role::Id),
        };
        let (contact, links) = kinds
            .iter()
            .enumerate()
            .filter_map(|(i, k)| {
                let shared = *k == Some(Kind::Phone) && roles[i] == Role::Phone { links: false };
                k.map(|k| ((i, k), !shared))
            })
            .unzip();
        Ok(Layout {
            contact,
            links,
            flags,
            id,
            region,
        })
    }

    /// Whether contact column `slot`'s values are merge keys (false for shared lines).
    pub fn links(&self, slot: usize) -> bool {
        self.links.get(slot).copied().unwrap_or(true)
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

/// One test per export format: its full header (as in `fixtures/exports/`, or as the
/// localized Outlook writes it) → the role of every column.
#[cfg(test)]
mod exports {
    use super::*;

    const LINKS: Role = Role::Phone { links: true };
    const SHARED: Role = Role::Phone { links: false };

    /// `header` is comma-separated; the listed columns must have their role, every other
    /// column is `Other`.
    fn assert_roles(header: &str, expect: &[(Role, &[&str])]) {
        let names: Vec<&str> = header.split(',').map(str::trim).collect();
        for (_, cols) in expect {
            for c in *cols {
                assert!(names.contains(c), "{c:?} is not in the header");
            }
        }
        for name in &names {
            let want = expect
                .iter()
                .find(|(_, cols)| cols.contains(name))
                .map_or(Role::Other, |(r, _)| *r);
            assert_eq!(role(name), want, "{name}");
        }
    }

    #[test]
    fn google_old() {
        assert_roles(
            "Name,Given Name,Additional Name,Family Name,Yomi Name,Given Name Yomi,\
             Additional Name Yomi,Family Name Yomi,Name Prefix,Name Suffix,Initials,Nickname,\
             Short Name,Maiden Name,Birthday,Gender,Location,Billing Information,Directory Server,\
             Mileage,Occupation,Hobby,Sensitivity,Priority,Subject,Notes,Language,Photo,\
             Group Membership,E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Type,E-mail 2 - Value,\
             Phone 1 - Type,Phone 1 - Value,Phone 2 - Type,Phone 2 - Value,Phone 3 - Type,\
             Phone 3 - Value,Address 1 - Type,Address 1 - Formatted,Address 1 - Street,\
             Address 1 - City,Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,\
             Address 1 - Country,Address 1 - Extended Address,Organization 1 - Type,\
             Organization 1 - Name,Organization 1 - Yomi Name,Organization 1 - Title,\
             Organization 1 - Department,Organization 1 - Symbol,Organization 1 - Location,\
             Organization 1 - Job Description,Website 1 - Type,Website 1 - Value",
            &[
                (
                    LINKS,
                    &["Phone 1 - Value", "Phone 2 - Value", "Phone 3 - Value"],
                ),
                (Role::Email, &["E-mail 1 - Value", "E-mail 2 - Value"]),
                (
                    Role::Companion,
                    &[
                        "E-mail 1 - Type",
                        "E-mail 2 - Type",
                        "Phone 1 - Type",
                        "Phone 2 - Type",
                        "Phone 3 - Type",
                    ],
                ),
            ],
        );
    }

    #[test]
    fn google_current() {
        assert_roles(
            "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,\
             Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,\
             Organization Title,Organization Department,Birthday,Notes,Photo,Labels,\
             E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,\
             Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Phone 3 - Label,Phone 3 - Value,\
             Address 1 - Label,Address 1 - Formatted,Address 1 - Street,Address 1 - City,\
             Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,\
             Address 1 - Extended Address,Website 1 - Label,Website 1 - Value,\
             Custom Field 1 - Label,Custom Field 1 - Value",
            &[
                (
                    LINKS,
                    &["Phone 1 - Value", "Phone 2 - Value", "Phone 3 - Value"],
                ),
                (Role::Email, &["E-mail 1 - Value", "E-mail 2 - Value"]),
                (
                    Role::Companion,
                    &[
                        "E-mail 1 - Label",
                        "E-mail 2 - Label",
                        "Phone 1 - Label",
                        "Phone 2 - Label",
                        "Phone 3 - Label",
                    ],
                ),
            ],
        );
    }

    #[test]
    fn outlook_english() {
        assert_roles(
            "Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,\
             Business Street,Business Street 2,Business Street 3,Business City,Business State,\
             Business Postal Code,Business Country/Region,Home Street,Home Street 2,Home Street 3,\
             Home City,Home State,Home Postal Code,Home Country/Region,Other Street,Other Street 2,\
             Other Street 3,Other City,Other State,Other Postal Code,Other Country/Region,\
             Assistant's Phone,Business Fax,Business Phone,Business Phone 2,Callback,Car Phone,\
             Company Main Phone,Home Fax,Home Phone,Home Phone 2,ISDN,Mobile Phone,Other Fax,\
             Other Phone,Pager,Primary Phone,Radio Phone,TTY/TDD Phone,Telex,Account,Anniversary,\
             Assistant's Name,Billing Information,Birthday,Business Address PO Box,Categories,\
             Children,Directory Server,E-mail Address,E-mail Type,E-mail Display Name,\
             E-mail 2 Address,E-mail 2 Type,E-mail 2 Display Name,E-mail 3 Address,E-mail 3 Type,\
             E-mail 3 Display Name,Gender,Government ID Number,Hobby,Home Address PO Box,Initials,\
             Internet Free Busy,Keywords,Language,Location,Manager's Name,Mileage,Notes,\
             Office Location,Organizational ID Number,Other Address PO Box,Priority,Private,\
             Profession,Referred By,Sensitivity,Spouse,User 1,User 2,User 3,User 4,Web Page",
            &[
                (
                    LINKS,
                    &[
                        "Business Phone",
                        "Business Phone 2",
                        "Callback",
                        "Car Phone",
                        "Home Phone",
                        "Home Phone 2",
                        "ISDN",
                        "Mobile Phone",
                        "Other Phone",
                        "Primary Phone",
                        "Radio Phone",
                        "TTY/TDD Phone",
                    ],
                ),
                (
                    SHARED,
                    &[
                        "Assistant's Phone",
                        "Business Fax",
                        "Company Main Phone",
                        "Home Fax",
                        "Other Fax",
                        "Pager",
                    ],
                ),
                (
                    Role::Email,
                    &["E-mail Address", "E-mail 2 Address", "E-mail 3 Address"],
                ),
                (
                    Role::Companion,
                    &[
                        "E-mail Type",
                        "E-mail Display Name",
                        "E-mail 2 Type",
                        "E-mail 2 Display Name",
                        "E-mail 3 Type",
                        "E-mail 3 Display Name",
                    ],
                ),
            ],
        );
    }

    #[test]
    fn outlook_com() {
        assert_roles(
            "First Name,Middle Name,Last Name,Title,Suffix,Nickname,Given Yomi,Surname Yomi,\
             E-mail Address,E-mail 2 Address,E-mail 3 Address,Home Phone,Home Phone 2,\
             Business Phone,Business Phone 2,Mobile Phone,Car Phone,Other Phone,Primary Phone,\
             Pager,Business Fax,Home Fax,Other Fax,Company Main Phone,Callback,Radio Phone,Telex,\
             TTY/TDD Phone,IMAddress,Job Title,Department,Company,Office Location,Manager's Name,\
             Assistant's Name,Assistant's Phone,Company Yomi,Business Street,Business City,\
             Business State,Business Postal Code,Business Country/Region,Home Street,Home City,\
             Home State,Home Postal Code,Home Country/Region,Other Street,Other City,Other State,\
             Other Postal Code,Other Country/Region,Personal Web Page,Spouse,Schools,Hobby,\
             Location,Web Page,Birthday,Anniversary,Notes",
            &[
                (
                    LINKS,
                    &[
                        "Home Phone",
                        "Home Phone 2",
                        "Business Phone",
                        "Business Phone 2",
                        "Mobile Phone",
                        "Car Phone",
                        "Other Phone",
                        "Primary Phone",
                        "Callback",
                        "Radio Phone",
                        "TTY/TDD Phone",
                    ],
                ),
                (
                    SHARED,
                    &[
                        "Pager",
                        "Business Fax",
                        "Home Fax",
                        "Other Fax",
                        "Company Main Phone",
                        "Assistant's Phone",
                    ],
                ),
                (
                    Role::Email,
                    &["E-mail Address", "E-mail 2 Address", "E-mail 3 Address"],
                ),
            ],
        );
    }

    #[test]
    fn outlook_german() {
        assert_roles(
            "Anrede,Vorname,Weitere Vornamen,Nachname,Suffix,Firma,Abteilung,Position,\
             Straße geschäftlich,Straße geschäftlich 2,Ort geschäftlich,Region geschäftlich,\
             Postleitzahl geschäftlich,Land/Region geschäftlich,Straße privat,Ort privat,\
             Bundesland/Kanton privat,Postleitzahl privat,Land/Region privat,Weitere Straße,\
             Weiterer Ort,Telefon Assistent,Fax geschäftlich,Telefon geschäftlich,\
             Telefon geschäftlich 2,Rückmeldung,Autotelefon,Telefon Firma,Fax privat,\
             Telefon (privat),Telefon (privat 2),ISDN,Mobiltelefon,Weiteres Fax,Weiteres Telefon,\
             Pager,Haupttelefon,Mobiltelefon 2,Telefon für Hörbehinderte,Telex,\
             Abrechnungsinformationen,Benutzer 1,Beruf,Büro,E-Mail-Adresse,E-Mail-Typ,\
             E-Mail: Angezeigter Name,E-Mail 2: Adresse,E-Mail 2: Typ,E-Mail 2: Angezeigter Name,\
             E-Mail 3: Adresse,E-Mail 3: Typ,E-Mail 3: Angezeigter Name,Empfohlen von,Geburtstag,\
             Geschlecht,Initialen,Internet-Frei/Gebucht,Jahrestag,Kategorien,Konto,Name Assistent,\
             Name des/der Vorgesetzten,Notizen,Organisations-Nr.,Ort,Postfach geschäftlich,\
             Priorität,Privat,Regierungs-Nr.,Reisekilometer,Sprache,Stichwörter,Vertraulichkeit,\
             Verzeichnisserver,Webseite",
            &[
                (
                    LINKS,
                    &[
                        "Telefon geschäftlich",
                        "Telefon geschäftlich 2",
                        "Rückmeldung",
                        "Autotelefon",
                        "Telefon (privat)",
                        "Telefon (privat 2)",
                        "ISDN",
                        "Mobiltelefon",
                        "Weiteres Telefon",
                        "Haupttelefon",
                        "Mobiltelefon 2",
                        "Telefon für Hörbehinderte",
                    ],
                ),
                (
                    SHARED,
                    &[
                        "Telefon Assistent",
                        "Fax geschäftlich",
                        "Telefon Firma",
                        "Fax privat",
                        "Weiteres Fax",
                        "Pager",
                    ],
                ),
                (
                    Role::Email,
                    &["E-Mail-Adresse", "E-Mail 2: Adresse", "E-Mail 3: Adresse"],
                ),
                (
                    Role::Companion,
                    &[
                        "E-Mail-Typ",
                        "E-Mail: Angezeigter Name",
                        "E-Mail 2: Typ",
                        "E-Mail 2: Angezeigter Name",
                        "E-Mail 3: Typ",
                        "E-Mail 3: Angezeigter Name",
                    ],
                ),
            ],
        );
    }

    #[test]
    fn outlook_french() {
        assert_roles(
            "Titre,Prénom,Deuxième prénom,Nom,Suffixe,Société,Service,Titre,Rue (bureau),\
             Ville (bureau),Dép/Région (bureau),Code postal (bureau),Pays/Région (bureau),\
             Rue (domicile),Ville (domicile),Téléphone de l'assistant(e),Télécopie (bureau),\
             Téléphone (bureau),Téléphone 2 (bureau),Rappel,Téléphone (voiture),\
             Téléphone société,Télécopie (domicile),Téléphone (domicile),Téléphone 2 (domicile),\
             RNIS,Tél. mobile,Télécopie (autre),Téléphone (autre),Récepteur de radiomessagerie,\
             Téléphone principal,Radiotéléphone,Téléphone TDD/TTY,Télex,Adresse de messagerie,\
             Type de messagerie,Nom complet de l'adresse de messagerie,Adresse de messagerie 2,\
             Type de messagerie 2,Nom complet de l'adresse de messagerie 2,Anniversaire,\
             Catégories,Notes,Page Web",
            &[
                (
                    LINKS,
                    &[
                        "Téléphone (bureau)",
                        "Téléphone 2 (bureau)",
                        "Rappel",
                        "Téléphone (voiture)",
                        "Téléphone (domicile)",
                        "Téléphone 2 (domicile)",
                        "RNIS",
                        "Tél. mobile",
                        "Téléphone (autre)",
                        "Téléphone principal",
                        "Radiotéléphone",
                        "Téléphone TDD/TTY",
                    ],
                ),
                (
                    SHARED,
                    &[
                        "Téléphone de l'assistant(e)",
                        "Télécopie (bureau)",
                        "Téléphone société",
                        "Télécopie (domicile)",
                        "Télécopie (autre)",
                        "Récepteur de radiomessagerie",
                    ],
                ),
                (
                    Role::Email,
                    &["Adresse de messagerie", "Adresse de messagerie 2"],
                ),
                (
                    Role::Companion,
                    &[
                        "Type de messagerie",
                        "Nom complet de l'adresse de messagerie",
                        "Type de messagerie 2",
                        "Nom complet de l'adresse de messagerie 2",
                    ],
                ),
            ],
        );
    }

    #[test]
    fn outlook_spanish() {
        assert_roles(
            "Tratamiento,Nombre,Segundo nombre,Apellidos,Sufijo,Organización,Departamento,Puesto,\
             Calle del trabajo,Ciudad de trabajo,Código postal del trabajo,Teléfono del asistente,\
             Fax del trabajo,Teléfono del trabajo,Teléfono del trabajo 2,Devolución de llamada,\
             Teléfono del automóvil,Número de centralita de la organización,Fax particular,\
             Particular,Particular 2,RDSI,Móvil,Otro fax,Otro teléfono,Localizador,\
             Teléfono principal,Radioteléfono,Teléfono TTY/TDD,Télex,\
             Dirección de correo electrónico,Tipo de correo electrónico,\
             Mostrar nombre de correo electrónico,Dirección de correo electrónico 2,\
             Tipo de correo electrónico 2,Mostrar nombre de correo electrónico 2,Cumpleaños,\
             Notas,Página web",
            &[
                (
                    LINKS,
                    &[
                        "Teléfono del trabajo",
                        "Teléfono del trabajo 2",
                        "Devolución de llamada",
                        "Teléfono del automóvil",
                        "Particular",
                        "Particular 2",
                        "RDSI",
                        "Móvil",
                        "Otro teléfono",
                        "Teléfono principal",
                        "Radioteléfono",
                        "Teléfono TTY/TDD",
                    ],
                ),
                (
                    SHARED,
                    &[
                        "Teléfono del asistente",
                        "Fax del trabajo",
                        "Número de centralita de la organización",
                        "Fax particular",
                        "Otro fax",
                        "Localizador",
                    ],
                ),
                (
                    Role::Email,
                    &[
                        "Dirección de correo electrónico",
                        "Dirección de correo electrónico 2",
                    ],
                ),
                (
                    Role::Companion,
                    &[
                        "Tipo de correo electrónico",
                        "Mostrar nombre de correo electrónico",
                        "Tipo de correo electrónico 2",
                        "Mostrar nombre de correo electrónico 2",
                    ],
                ),
            ],
        );
    }

    #[test]
    fn outlook_portuguese() {
        // Portugal, then the Brazilian names where they differ.
        assert_roles(
            "Título,Nome próprio,Segundo nome,Apelido,Sufixo,Empresa,Departamento,Cargo,\
             Rua (empresa),Telefone do assistente,Fax comercial,Telefone comercial,\
             Telefone comercial 2,Chamada de retorno,Telefone do automóvel,\
             Telefone principal da empresa,Fax da residência,Telefone da residência,\
             Telefone da residência 2,RDIS,Telemóvel,Outro fax,Outro telefone,Pager,\
             Telefone principal,Radiotelefone,Telefone TTY/TDD,Telex,\
             Endereço de correio electrónico,Tipo de correio electrónico,\
             Nome a apresentar do correio electrónico,Endereço de correio electrónico 2,\
             Tipo de correio electrónico 2,Nome a apresentar do correio electrónico 2,\
             Aniversário,Notas,Página Web,Telefone celular,Endereço de e-mail,Tipo de e-mail,\
             Nome de exibição do e-mail",
            &[
                (
                    LINKS,
                    &[
                        "Telefone comercial",
                        "Telefone comercial 2",
                        "Chamada de retorno",
                        "Telefone do automóvel",
                        "Telefone da residência",
                        "Telefone da residência 2",
                        "RDIS",
                        "Telemóvel",
                        "Outro telefone",
                        "Telefone principal",
                        "Radiotelefone",
                        "Telefone TTY/TDD",
                        "Telefone celular",
                    ],
                ),
                (
                    SHARED,
                    &[
                        "Telefone do assistente",
                        "Fax comercial",
                        "Telefone principal da empresa",
                        "Fax da residência",
                        "Outro fax",
                        "Pager",
                    ],
                ),
                (
                    Role::Email,
                    &[
                        "Endereço de correio electrónico",
                        "Endereço de correio electrónico 2",
                        "Endereço de e-mail",
                    ],
                ),
                (
                    Role::Companion,
                    &[
                        "Tipo de correio electrónico",
                        "Nome a apresentar do correio electrónico",
                        "Tipo de correio electrónico 2",
                        "Nome a apresentar do correio electrónico 2",
                        "Tipo de e-mail",
                        "Nome de exibição do e-mail",
                    ],
                ),
            ],
        );
    }

    #[test]
    fn outlook_italian() {
        assert_roles(
            "Titolo,Nome,Secondo nome,Cognome,Titolo straniero,Società,Reparto,Posizione,\
             Via (uff.),Città (uff.),Telefono assistente,Fax ufficio,Telefono ufficio,\
             Telefono ufficio 2,Richiamata automatica,Telefono auto,Telefono principale società,\
             Fax abitazione,Abitazione,Abitazione 2,ISDN,Cellulare,Altro fax,Altro telefono,\
             Cercapersone,Telefono principale,Radiotelefono,Telefono TTY/TDD,Telex,\
             Indirizzo posta elettronica,Tipo posta elettronica,\
             Nome visualizzato posta elettronica,Indirizzo posta elettronica 2,\
             Tipo posta elettronica 2,Nome visualizzato posta elettronica 2,Compleanno,Note,\
             Pagina Web",
            &[
                (
                    LINKS,
                    &[
                        "Telefono ufficio",
                        "Telefono ufficio 2",
                        "Richiamata automatica",
                        "Telefono auto",
                        "Abitazione",
                        "Abitazione 2",
                        "ISDN",
                        "Cellulare",
                        "Altro telefono",
                        "Telefono principale",
                        "Radiotelefono",
                        "Telefono TTY/TDD",
                    ],
                ),
                (
                    SHARED,
                    &[
                        "Telefono assistente",
                        "Fax ufficio",
                        "Telefono principale società",
                        "Fax abitazione",
                        "Altro fax",
                        "Cercapersone",
                    ],
                ),
                (
                    Role::Email,
                    &[
                        "Indirizzo posta elettronica",
                        "Indirizzo posta elettronica 2",
                    ],
                ),
                (
                    Role::Companion,
                    &[
                        "Tipo posta elettronica",
                        "Nome visualizzato posta elettronica",
                        "Tipo posta elettronica 2",
                        "Nome visualizzato posta elettronica 2",
                    ],
                ),
            ],
        );
    }

    #[test]
    fn outlook_dutch() {
        assert_roles(
            "Titel,Voornaam,Middelste naam,Achternaam,Achtervoegsel,Bedrijf,Afdeling,Functie,\
             Werkadres straat,Telefoon assistent,Fax op werk,Telefoon op werk,Telefoon op werk 2,\
             Terugbelnummer,Autotelefoon,Hoofdtelefoon bedrijf,Fax thuis,Telefoon thuis,\
             Telefoon thuis 2,ISDN,Mobiele telefoon,Andere fax,Andere telefoon,Pager,\
             Hoofdtelefoon,Radiotelefoon,Teksttelefoon,Telex,E-mailadres,E-mailtype,\
             Weergavenaam voor e-mail,E-mailadres 2,E-mailtype 2,Weergavenaam voor e-mail 2,\
             Verjaardag,Notities,Webpagina",
            &[
                (
                    LINKS,
                    &[
                        "Telefoon op werk",
                        "Telefoon op werk 2",
                        "Terugbelnummer",
                        "Autotelefoon",
                        "Telefoon thuis",
                        "Telefoon thuis 2",
                        "ISDN",
                        "Mobiele telefoon",
                        "Andere telefoon",
                        "Hoofdtelefoon",
                        "Radiotelefoon",
                        "Teksttelefoon",
                    ],
                ),
                (
                    SHARED,
                    &[
                        "Telefoon assistent",
                        "Fax op werk",
                        "Hoofdtelefoon bedrijf",
                        "Fax thuis",
                        "Andere fax",
                        "Pager",
                    ],
                ),
                (Role::Email, &["E-mailadres", "E-mailadres 2"]),
                (
                    Role::Companion,
                    &[
                        "E-mailtype",
                        "Weergavenaam voor e-mail",
                        "E-mailtype 2",
                        "Weergavenaam voor e-mail 2",
                    ],
                ),
            ],
        );
    }

    #[test]
    fn hubspot() {
        assert_roles(
            "Record ID,First Name,Last Name,Email,Phone Number,Mobile Phone Number,\
             Additional email addresses,Email Domain,Contact owner,Lead status,\
             Marketing contact status,Associated Company,Create Date,Last Activity Date,\
             Marketing emails opened,Email hard bounce reason,Unsubscribed from all email",
            &[
                (LINKS, &["Phone Number", "Mobile Phone Number"]),
                (Role::Email, &["Email", "Additional email addresses"]),
                (Role::Id, &["Record ID"]),
            ],
        );
    }

    #[test]
    fn salesforce_any_case() {
        const UPPER: &str = "ID,ISDELETED,MASTERRECORDID,ACCOUNTID,LASTNAME,FIRSTNAME,SALUTATION,\
             NAME,MAILINGSTREET,MAILINGCITY,MAILINGSTATE,MAILINGPOSTALCODE,MAILINGCOUNTRY,PHONE,\
             FAX,MOBILEPHONE,HOMEPHONE,OTHERPHONE,ASSISTANTPHONE,REPORTSTOID,EMAIL,TITLE,\
             DEPARTMENT,ASSISTANTNAME,LEADSOURCE,BIRTHDATE,DESCRIPTION,OWNERID,\
             HASOPTEDOUTOFEMAIL,HASOPTEDOUTOFFAX,DONOTCALL,CREATEDDATE,EMAILBOUNCEDREASON,\
             EMAILBOUNCEDDATE,ISEMAILBOUNCED";
        const AS_QUERIED: &str = "Id,IsDeleted,MasterRecordId,AccountId,LastName,FirstName,\
             Salutation,Name,MailingStreet,MailingCity,MailingState,MailingPostalCode,\
             MailingCountry,Phone,Fax,MobilePhone,HomePhone,OtherPhone,AssistantPhone,ReportsToId,\
             Email,Title,Department,AssistantName,LeadSource,Birthdate,Description,OwnerId,\
             HasOptedOutOfEmail,HasOptedOutOfFax,DoNotCall,CreatedDate,EmailBouncedReason,\
             EmailBouncedDate,IsEmailBounced";
        assert_roles(
            UPPER,
            &[
                (LINKS, &["PHONE", "MOBILEPHONE", "HOMEPHONE", "OTHERPHONE"]),
                (SHARED, &["FAX", "ASSISTANTPHONE"]),
                (Role::Email, &["EMAIL"]),
                (Role::Id, &["ID"]),
            ],
        );
        assert_roles(
            AS_QUERIED,
            &[
                (LINKS, &["Phone", "MobilePhone", "HomePhone", "OtherPhone"]),
                (SHARED, &["Fax", "AssistantPhone"]),
                (Role::Email, &["Email"]),
                (Role::Id, &["Id"]),
            ],
        );
    }

    #[test]
    fn zoho() {
        assert_roles(
            "Record Id,Contact Owner.id,Contact Owner,Lead Source,First Name,Last Name,\
             Account Name.id,Account Name,Email,Title,Department,Phone,Home Phone,Other Phone,Fax,\
             Mobile,Date of Birth,Assistant,Asst Phone,Email Opt Out,Skype ID,Created Time,\
             Secondary Email,Twitter,Mailing Street,Mailing City,Mailing Country,Description",
            &[
                (LINKS, &["Phone", "Home Phone", "Other Phone", "Mobile"]),
                (SHARED, &["Fax", "Asst Phone"]),
                (Role::Email, &["Email", "Secondary Email"]),
                (Role::Id, &["Record Id"]),
            ],
        );
    }

    #[test]
    fn mailchimp() {
        assert_roles(
            "Email Address,First Name,Last Name,Address,Phone Number,Birthday,MEMBER_RATING,\
             OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,\
             TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS,EMAIL_TYPE",
            &[
                (LINKS, &["Phone Number"]),
                (Role::Email, &["Email Address"]),
                (Role::Companion, &["EMAIL_TYPE"]),
            ],
        );
    }

    #[test]
    fn shared_lines_are_cleaned_but_do_not_link() {
        let sel = Selection {
            flags_name: "flags".into(),
            ..Default::default()
        };
        let h = header(&[
            "Mobile Phone",
            "Business Fax",
            "E-mail Address",
            "E-mail Type",
            "Pager",
        ]);
        let l = Layout::detect(&h, &sel).unwrap();
        assert_eq!(
            l.contact,
            vec![
                (0, Kind::Phone),
                (1, Kind::Phone),
                (2, Kind::Email),
                (4, Kind::Phone)
            ]
        );
        assert_eq!(l.links, vec![true, false, true, false]);
        // Named explicitly, a fax is still cleaned as a phone that does not link.
        let sel = Selection {
            phone: vec!["Business Fax".into()],
            flags_name: "flags".into(),
            ..Default::default()
        };
        let l = Layout::detect(&h, &sel).unwrap();
        assert_eq!(l.contact, vec![(1, Kind::Phone), (2, Kind::Email)]);
        assert!(!l.links(0) && l.links(1));
        // A companion column can still be named (the user knows best).
        let sel = Selection {
            email: vec!["E-mail Type".into()],
            flags_name: "flags".into(),
            ..Default::default()
        };
        let l = Layout::detect(&h, &sel).unwrap();
        assert!(l.contact.contains(&(3, Kind::Email)));
    }

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }
}
