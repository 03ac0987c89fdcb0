//! Turns a contact CSV from `scripts/gen_contacts.py` into the same contacts as a vCard file
//! and as a workbook, for the vCard and workbook rows of docs/performance.md.
//!
//! `cargo run --release --example gen_formats -- IN.csv ROWS OUT.vcf|OUT.xlsx`
//!
//! - vCard 3.0, one card per row: `UID` (id), `N`/`FN`, `ORG`, `TEL;TYPE=VOICE` (Phone),
//!   `TEL;TYPE=CELL` (Mobile), `item1.TEL` + `item1.X-ABLabel:WhatsApp`, `EMAIL;TYPE=INTERNET`,
//!   `NOTE` (escaped, folded at 75 octets), CRLF line ends; empty cells give no property.
//! - Workbook: the same columns on one sheet; a phone cell of digits only is written as a
//!   number (as Excel stores a typed number), every other cell as text.

use std::io::{BufWriter, Write};

fn fold(line: &str, out: &mut impl Write) -> std::io::Result<()> {
    let bytes = line.as_bytes();
    let mut start = 0;
    let mut width = 75;
    while bytes.len() - start > width {
        let mut end = start + width;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        out.write_all(&bytes[start..end])?;
        out.write_all(b"\r\n ")?;
        start = end;
        width = 74;
    }
    out.write_all(&bytes[start..])?;
    out.write_all(b"\r\n")
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace(';', "\\;")
        .replace('\n', "\\n")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, rows, output] = &args[..] else {
        return Err("usage: gen_formats IN.csv ROWS OUT.vcf|OUT.xlsx".into());
    };
    let rows: usize = rows.parse()?;
    let mut rdr = csv::Reader::from_path(input)?;
    let header: Vec<String> = rdr.headers()?.iter().map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (id, first, last, phone, mobile, wa, email, company, notes) = (
        col("id"),
        col("First Name"),
        col("Last Name"),
        col("Phone"),
        col("Mobile"),
        col("WhatsApp"),
        col("Email"),
        col("Company"),
        col("Notes"),
    );
    if output.ends_with(".vcf") {
        let mut out = BufWriter::new(std::fs::File::create(output)?);
        for rec in rdr.records().take(rows) {
            let r = rec?;
            out.write_all(b"BEGIN:VCARD\r\nVERSION:3.0\r\n")?;
            fold(&format!("UID:{}", &r[id]), &mut out)?;
            fold(
                &format!("N:{};{};;;", escape(&r[last]), escape(&r[first])),
                &mut out,
            )?;
            fold(
                &format!(
                    "FN:{}",
                    escape(format!("{} {}", &r[first], &r[last]).trim())
                ),
                &mut out,
            )?;
            let props = [
                (company, "ORG"),
                (phone, "TEL;TYPE=VOICE"),
                (mobile, "TEL;TYPE=CELL"),
                (wa, "item1.TEL"),
                (email, "EMAIL;TYPE=INTERNET"),
                (notes, "NOTE"),
            ];
            for (c, name) in props {
                if r[c].is_empty() {
                    continue;
                }
                let v = if name.starts_with("TEL") || name.starts_with("item1") {
                    r[c].to_string()
                } else {
                    escape(&r[c])
                };
                fold(&format!("{name}:{v}"), &mut out)?;
                if c == wa {
                    out.write_all(b"item1.X-ABLabel:WhatsApp\r\n")?;
                }
            }
            out.write_all(b"END:VCARD\r\n")?;
        }
        out.flush()?;
    } else {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in header.iter().enumerate() {
            ws.write_string(0, c as u16, h)?;
        }
        let phones = [phone, mobile, wa];
        for (i, rec) in rdr.records().take(rows).enumerate() {
            let r = rec?;
            let row = i as u32 + 1;
            for (c, v) in r.iter().enumerate() {
                if v.is_empty() {
                    continue;
                }
                let digits =
                    !v.is_empty() && v.len() <= 15 && v.bytes().all(|b| b.is_ascii_digit());
                if phones.contains(&c) && digits {
                    ws.write_number(row, c as u16, v.parse::<f64>()?)?;
                } else {
                    ws.write_string(row, c as u16, v)?;
                }
            }
        }
        wb.save(output)?;
    }
    Ok(())
}
