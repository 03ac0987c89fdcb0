//! Which encoding a file that is not UTF-8 is in (`--encoding auto`, and the hint of the
//! error a non-UTF-8 file stops with): a byte-order mark says so outright; text that is
//! valid UTF-8 is UTF-8; anything else is Firefox's detector's (`chardetng`) best guess
//! among the legacy code pages (windows-1252, windows-1250, Shift_JIS, GBK, KOI8-R, …).

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_8};

/// The encoding `sample` (the first bytes of a file, or all of it) is most likely in. Pure:
/// the same bytes always give the same answer. A multi-byte character cut off at the end of
/// the sample does not make it "not UTF-8".
pub fn detect_encoding(sample: &[u8]) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(sample) {
        return enc;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => return UTF_8,
        Err(e) if e.error_len().is_none() => return UTF_8,
        Err(_) => {}
    }
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(sample, true);
    detector.guess(None, Utf8Detection::Deny)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boms_and_utf8() {
        assert_eq!(detect_encoding(b"\xEF\xBB\xBFName,Phone\n"), UTF_8);
        assert_eq!(detect_encoding(b"\xFF\xFEN\0a\0"), encoding_rs::UTF_16LE);
        assert_eq!(detect_encoding(b"\xFE\xFF\0N\0a"), encoding_rs::UTF_16BE);
        assert_eq!(detect_encoding(b"Name,Phone\nAna,+65 9123 4567\n"), UTF_8);
        assert_eq!(detect_encoding("Telefon geschäftlich".as_bytes()), UTF_8);
        // A character cut in two at the end of the sample.
        assert_eq!(detect_encoding(&"geschä".as_bytes()[..6]), UTF_8);
        assert_eq!(detect_encoding(b""), UTF_8);
    }

    #[test]
    fn legacy_code_pages() {
        let german = "\"Vorname\",\"Nachname\",\"Telefon geschäftlich\",\"Straße\"\r\n\
                      \"Jürgen\",\"Müller\",\"+49 30 1234567\",\"Hauptstraße 5\"\r\n\
                      \"Björn\",\"Größe\",\"+49 89 7654321\",\"Königsallee 1\"\r\n";
        let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(german);
        assert_eq!(detect_encoding(&cp1252), encoding_rs::WINDOWS_1252);
        let russian = "Имя,Фамилия,Телефон\nИван,Петров,+7 495 123-45-67\nМария,Смирнова,\
                       +7 812 765-43-21\n";
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(russian);
        assert_eq!(detect_encoding(&cp1251), encoding_rs::WINDOWS_1251);
        let japanese = "名前,電話\n山田太郎,+81 3-1234-5678\n鈴木花子,+81 6-8765-4321\n";
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(japanese);
        assert_eq!(detect_encoding(&sjis), encoding_rs::SHIFT_JIS);
    }
}
