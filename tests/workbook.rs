//! Workbook input end to end: workbooks built at test time with rust_xlsxwriter, read by the
//! real binary through calamine.

mod common;

use common::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

/// The workbook of the README (fixtures/book.xlsx): numbers, text, a date, a formula.
fn readme_book() -> Vec<u8> {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet();
    ws.set_name("Customers").unwrap();
    for (c, h) in ["Name", "Phone", "Email", "Joined", "Orders"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "Ana Tan").unwrap();
    ws.write_number(1, 1, 6591234567.0).unwrap();
    ws.write_string(1, 2, " Ana@Example.COM").unwrap();
    ws.write_datetime_with_format(1, 3, ExcelDateTime::from_ymd(2024, 3, 15).unwrap(), &date)
        .unwrap();
    ws.write_formula(1, 4, Formula::new("=2+3").set_result("5"))
        .unwrap();
    ws.write_string(2, 0, "Bo Lim").unwrap();
    ws.write_string(2, 1, "+65 8123 4567").unwrap();
    ws.write_string(2, 2, "bo@example.com").unwrap();
    ws.write_datetime_with_format(2, 3, ExcelDateTime::from_ymd(2023, 11, 2).unwrap(), &date)
        .unwrap();
    ws.write_number(2, 4, 12.0).unwrap();
    ws.write_string(3, 0, "Cy Ong").unwrap();
    ws.write_number(3, 1, 123456789012345678.0).unwrap();
    ws.write_string(3, 2, "cy@example").unwrap();
    ws.write_number(3, 4, 2.5).unwrap();
    let other = wb.add_worksheet();
    other.set_name("Suppliers").unwrap();
    other.write_string(0, 0, "Phone").unwrap();
    other.write_number(1, 0, 447911123456.0).unwrap();
    wb.save_to_buffer().unwrap()
}

const README_OUTPUT: &str = "Name,Phone,Email,Joined,Orders,flags\n\
    Ana Tan,+6591234567,ana@example.com,2024-03-15,5,\n\
    Bo Lim,+6581234567,bo@example.com,2023-11-02,12,\n\
    Cy Ong,1.23456789012346E+17,cy@example,,2.5,Phone:excel_scientific;Email:invalid_email\n";

#[test]
fn numbers_keep_their_digits_dates_and_formulas_as_shown() {
    let (_dir, path) = temp_file("book.xlsx", &readme_book());
    let out = ok(&["normalize", "-q", path.to_str().unwrap()]);
    assert_eq!(String::from_utf8(out).unwrap(), README_OUTPUT);
}

#[test]
fn the_readme_workbook() {
    let out = ok(&["normalize", "-q", fixture("book.xlsx").to_str().unwrap()]);
    assert_eq!(String::from_utf8(out).unwrap(), README_OUTPUT);
}

/// Writes fixtures/book.xlsx (run with `--ignored` after changing `readme_book`).
#[test]
#[ignore]
fn write_readme_workbook() {
    std::fs::write(fixture("book.xlsx"), readme_book()).unwrap();
}

#[test]
fn sheets_by_name_or_position() {
    let (_dir, path) = temp_file("book.xlsx", &readme_book());
    let p = path.to_str().unwrap();
    let want = "Phone,flags\n+447911123456,\n";
    for sheet in ["Suppliers", "2"] {
        let out = ok(&["normalize", "-q", "--sheet", sheet, p]);
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }
    let (code, _, err) = run(&["normalize", "--sheet", "Nope", p]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no sheet \"Nope\""), "{err}");
    assert!(err.contains("Customers, Suppliers"), "{err}");
}

#[test]
fn workbooks_from_stdin_and_by_content() {
    let book = readme_book();
    let (code, out, err) = run_stdin(&["normalize", "-q"], &book);
    assert_eq!(code, 0, "{err}");
    assert_eq!(String::from_utf8(out).unwrap(), README_OUTPUT);
    // A file whose extension says workbook but whose content does not.
    let (_dir, path) = temp_file("fake.xlsx", b"Phone\n1\n");
    let (code, _, err) = run(&["normalize", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("not a workbook"), "{err}");
}

#[test]
fn dedupe_and_check_take_workbooks() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "id").unwrap();
    ws.write_string(0, 1, "Phone").unwrap();
    for (r, (id, phone)) in [("a", 6591234567.0), ("b", 6591234567.0)]
        .iter()
        .enumerate()
    {
        ws.write_string(r as u32 + 1, 0, *id).unwrap();
        ws.write_number(r as u32 + 1, 1, *phone).unwrap();
    }
    let (_dir, path) = temp_file("dupes.xlsx", &wb.save_to_buffer().unwrap());
    let out = ok(&["dedupe", "-q", path.to_str().unwrap()]);
    let r = rows(&out);
    assert_eq!(column(&r, "id"), ["a", "b"]);
    ok(&["check", "-q", path.to_str().unwrap()]);
}
