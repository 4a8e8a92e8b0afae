import Foundation

/// Parses the `Retry-After` header: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
package enum RetryAfter {
    /// The wait in seconds, clamped to `0...maximum`; nil when the value is neither a finite
    /// number nor an HTTP date (the caller then uses its own backoff).
    ///
    /// Numbers with a fraction and negative numbers are accepted (and clamped) because servers
    /// do send them; `inf`, `nan` and hexadecimal are not numbers here.
    package static func seconds(_ value: String, now: Date = Date(), maximum: Double) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        if text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-" || $0 == "+") }) {
            guard let number = Double(text), number.isFinite else { return nil }
            return clamp(number, maximum: maximum)
        }
        guard let date = httpDate(text) else { return nil }
        return clamp(date.timeIntervalSince(now), maximum: maximum)
    }

    private static func clamp(_ seconds: Double, maximum: Double) -> Double {
        min(max(seconds, 0), max(maximum, 0))
    }

    /// IMF-fixdate, and the obsolete RFC 850 and asctime forms recipients must accept.
    package static func httpDate(_ text: String) -> Date? {
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
