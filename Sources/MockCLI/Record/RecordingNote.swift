import Foundation

/// RECORDING.md: when, where from, how much, and what was scrubbed, for whoever receives the
/// recording. It names no user, URL, token or password.
struct RecordingNote {
    var summary: RecordingSummary
    var settings: RecordSettings
    var recordedAt: Date
    var saltFingerprint: String

    var markdown: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var text = """
            # Recording

            Made by `eset-mock record`; serve it with `eset-mock serve --data <this directory>`.

            - Recorded at: \(formatter.string(from: recordedAt))
            - Region: \(summary.region.rawValue)\(settings.esetURL != nil ? " (through --eset-url, not the real service)" : "")
            - Device groups: \(summary.groups) in \(summary.groupPages) page\(summary.groupPages == 1 ? "" : "s")
            - Devices: \(summary.devices) in \(summary.devicePages) page\(summary.devicePages == 1 ? "" : "s") (page size \(settings.pageSize))
            - Entries skipped because they are not JSON objects: \(summary.skipped.count)
            - Salt: \(settings.saltFromFile ? "from --salt-file" : "random, not kept"); fingerprint \(saltFingerprint) (equal fingerprints: same pseudonyms)
            - MAC vendor part (OUI): \(settings.keepsMACVendor ? "kept" : "replaced (addresses marked locally administered)")
            - Kept verbatim by --keep: \(settings.keptMembers.isEmpty ? "nothing" : summary.keptMatches.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", "))

            ## Pseudonymised

            Keyed HMAC-SHA256 pseudonyms, consistent across the whole recording: the same value always
            gets the same pseudonym, so group references and memberships survive.

            | Member | How | Values |
            |---|---|---:|

            """
        for (key, count) in summary.replacements.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "\t", maxSplits: 1)
            text += "| `\(parts[0])` | \(parts.count > 1 ? String(parts[1]) : "") | \(count) |\n"
        }
        text += """

            - uuids and every `…Uuid` reference: another version-4 uuid (same case); other references keep their shape.
            - Names, descriptions, tags, domains, user names: letters stay letters (same case), digits stay digits,
              separators stay; each run of letters and digits is replaced on its own, so shared parts stay shared.
            - IP addresses: v4 stays v4 and v6 stays v6; private, shared, link-local, documentation and multicast
              addresses stay in their block, public ones stay public; loopback and unspecified addresses are kept.
              No IPv4 or MAC pseudonym is an address the tenant itself uses\(summary.unavoidableCollisions > 0 ? " (except \(summary.unavoidableCollisions), in nearly full blocks)" : "").
            - MAC addresses: separators and case kept; vendor part as above; randomised (locally administered)
              addresses are replaced whole except their flag bits.
            - E-mail addresses are replaced wherever they appear (TLD kept).
            - Serial numbers, tokens, salts, etags and other identifiers: shape kept.
            - Members the API does not document: values that look like enum constants, numbers, versions or
              times are kept; any other string is treated as a name.

            ## Kept verbatim

            Structure and types exactly as received (wrong types, nulls, empty strings, unknown members,
            member order, whitespace and escapes), enum values, numbers, booleans, `lastSyncTime`, operating
            system and hardware models and versions, product and component names.

            ## Never written

            Access and refresh tokens, the password, the API user name, HTTP headers, the salt itself.

            """
        if !summary.skipped.isEmpty {
            text += "\n## Skipped entries\n\n" + summary.skipped.map { "- \($0)\n" }.joined()
        }
        return text
    }
}
