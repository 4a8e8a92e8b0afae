import JSON

/// How the strings (and numbers) under one member are treated.
enum ScrubRule: Hashable {
    /// Named by `--keep`: the whole subtree is written as received.
    case verbatim
    /// Known non-identifying data (enums, times, OS, products, hardware models): kept, except
    /// that e-mail addresses inside are still replaced.
    case keep
    /// A known container (`hardwareProfiles`, `bios`, …): each member is judged by its own name.
    case structure
    /// A uuid or other reference: consistent, collision-free pseudonyms.
    case reference
    /// Serial numbers, tokens, salts, etags: shape kept, hashed whole.
    case serial
    /// Names, descriptions, tags, domains, user names: shape kept, run by run.
    case name
    case ipAddress
    case macAddress
    /// A member the API documents nowhere: strings that look like enum constants, numbers,
    /// times or versions are kept; anything else is treated as a name (privacy first).
    case unknown

    /// Whether values under this rule identify something (numbers of a wrong type included).
    var identifies: Bool {
        switch self {
        case .reference, .serial, .name, .ipAddress, .macAddress: return true
        case .verbatim, .keep, .structure, .unknown: return false
        }
    }

    var method: String {
        switch self {
        case .verbatim: return "kept (--keep)"
        case .keep: return "kept"
        case .structure: return "container"
        case .reference: return "uuid / reference"
        case .serial: return "identifier, shape kept"
        case .name: return "name, shape kept"
        case .ipAddress: return "IP address, kind kept"
        case .macAddress: return "MAC address"
        case .unknown: return "undocumented field"
        }
    }
}

/// Rewrites one API object (a device or a group) with every identifying value replaced by its
/// pseudonym and every other byte (structure, member order, whitespace, escapes, types)
/// exactly as received: it works on the JSON text, never on a decoded and re-encoded document.
final class RecordScrubber {
    let pseudonymiser: Pseudonymiser
    /// Member names kept verbatim (`--keep`).
    let keptMembers: Set<String>
    /// What was replaced, by member name and method, for RECORDING.md.
    private(set) var replacements: [String: Int] = [:]
    /// How many members each `--keep` name matched (a name that matched nothing is likely a typo).
    private(set) var keptMatches: [String: Int] = [:]

    init(pseudonymiser: Pseudonymiser, keptMembers: Set<String>) {
        self.pseudonymiser = pseudonymiser
        self.keptMembers = keptMembers
    }

    /// Members whose value is data about the device, not about whom it belongs to.
    private static let keptNames: Set<String> = [
        "devicetype", "enrollmentstatus", "functionalitystatus", "functionalityproblemcount", "ismaster", "ismobile",
        "ismuted", "lastsynctime", "manufacturer", "model", "caption", "architecture", "drivetype", "capacitybytes",
        "hardwareencryptionsupported", "manufacturername", "linkedentitytype", "issecuritygroup", "name", "id",
        "version", "bitness", "editionid", "familyid", "major", "minor", "patch", "year", "month", "day", "riskscore",
    ]
    /// Known subtrees with nothing identifying in them (products, components, OS).
    private static let keptSubtrees: Set<String> = ["operatingsystem", "deployedcomponents", "activeproducts", "activatedate", "validitydate"]
    /// Known containers whose members are judged one by one.
    private static let containers: Set<String> = ["hardwareprofiles", "bios", "networkadapters", "processors", "harddrives", "cloningconfiguration"]
    private static let nameMembers: Set<String> = [
        "description", "tags", "managementdomain", "domain", "originaldisplayname", "hostname", "computername", "fqdn",
        "securitygroupdisplayname", "clonenamingpatterns", "malformeddata", "displayname",
    ]

    private struct RuleKey: Hashable {
        var member: String
        var parent: ScrubRule
        var atRecordRoot: Bool
    }
    /// Rules by member name and context: a tenant has few distinct member names, and matching
    /// names by substring for every member of every device would dominate the recording time.
    private var ruleCache: [RuleKey: ScrubRule] = [:]

    func rule(forMember key: String, parent: ScrubRule, atRecordRoot: Bool) -> ScrubRule {
        let cacheKey = RuleKey(member: key, parent: parent, atRecordRoot: atRecordRoot)
        if let cached = ruleCache[cacheKey] { return cached }
        let rule = uncachedRule(forMember: key, parent: parent, atRecordRoot: atRecordRoot)
        if ruleCache.count < 10_000 { ruleCache[cacheKey] = rule }
        return rule
    }

    private func uncachedRule(forMember key: String, parent: ScrubRule, atRecordRoot: Bool) -> ScrubRule {
        if parent == .verbatim || keptMembers.contains(key) { return .verbatim }
        let lower = key.lowercased()
        // Identifying by name wherever they appear, even inside a kept subtree.
        if lower == "uuid" || lower.hasSuffix("uuid") || lower.hasSuffix("guid") { return .reference }
        if lower.contains("ipaddress") || ["ip", "ipv4", "ipv6", "ips", "gateway", "dnsserver", "dnsservers"].contains(lower) { return .ipAddress }
        if lower.contains("macaddress") || lower == "mac" { return .macAddress }
        if lower.contains("serial") || lower.contains("token") || lower.contains("password") || lower.contains("secret")
            || lower.contains("salt") || lower.contains("identifier") || lower == "etag" || lower.hasSuffix("key") {
            return .serial
        }
        if lower.contains("mail") || lower.contains("user") || lower.contains("owner") || lower.contains("login")
            || lower.contains("account") || lower.contains("hostname") {
            return .name
        }
        if lower == "name" && atRecordRoot { return .name }
        if lower == "displayname" && !atRecordRoot {
            // A product's, an OS's or a drive's display name is a model, not a person's choice.
            return parent.identifies || parent == .unknown ? parent : .keep
        }
        if Self.nameMembers.contains(lower) { return .name }
        switch parent {
        case .keep: return .keep
        case .reference, .serial, .name, .ipAddress, .macAddress, .unknown: return parent
        case .structure, .verbatim: break
        }
        if Self.keptSubtrees.contains(lower) || Self.keptNames.contains(lower) { return .keep }
        if Self.containers.contains(lower) { return .structure }
        return .unknown
    }

    /// First pass: notes the addresses of one record, so that no pseudonym can be another
    /// device's real address (see `Pseudonymiser.planAvoidingObservedAddresses`).
    func observe(_ record: ArraySlice<UInt8>) throws(JSONParseError) {
        try record.withUnsafeBufferPointer { (buffer) throws(JSONParseError) in
            var scanner = JSONScanner(buffer)
            try walk(&scanner, buffer, rule: .structure, isRecordRoot: true, memberName: "", observing: true) { _, _ in }
        }
    }

    /// The scrubbed text of one record (the bytes of one JSON value, already validated).
    func scrub(_ record: ArraySlice<UInt8>) throws(JSONParseError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(record.count + 64)
        try record.withUnsafeBufferPointer { (buffer) throws(JSONParseError) in
            var scanner = JSONScanner(buffer)
            var copied = 0
            func splice(_ range: Range<Int>, _ replacement: [UInt8]) {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[copied..<range.lowerBound]))
                output.append(contentsOf: replacement)
                copied = range.upperBound
            }
            try walk(&scanner, buffer, rule: .structure, isRecordRoot: true, memberName: "", observing: false, splice: splice)
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[copied...]))
        }
        return output
    }

    private func walk(
        _ scanner: inout JSONScanner, _ buffer: UnsafeBufferPointer<UInt8>, rule: ScrubRule, isRecordRoot: Bool,
        memberName: String, observing: Bool, splice: (Range<Int>, [UInt8]) -> Void
    ) throws(JSONParseError) {
        guard let first = scanner.peek() else { return try scanner.skipValue() }
        let start = scanner.position
        switch first {
        case UInt8(ascii: "{"):
            guard try scanner.beginObject() else { return }
            repeat {
                let key = try scanner.readKey().name
                let child = rule == .verbatim ? .verbatim : self.rule(forMember: key, parent: rule, atRecordRoot: isRecordRoot)
                if !observing && rule != .verbatim && child == .verbatim { keptMatches[key, default: 0] += 1 }
                try walk(&scanner, buffer, rule: child, isRecordRoot: false, memberName: key, observing: observing, splice: splice)
            } while try scanner.nextMember()
        case UInt8(ascii: "["):
            guard try scanner.beginArray() else { return }
            repeat {
                try walk(&scanner, buffer, rule: rule, isRecordRoot: false, memberName: memberName, observing: observing, splice: splice)
            } while try scanner.nextElement()
        case UInt8(ascii: "\""):
            try scanner.skipValue()
            let range = start..<scanner.position
            guard rule != .verbatim, range.count > 2 else { return }
            let raw = UnsafeBufferPointer(rebasing: buffer[range])
            let hasAt = raw.contains(UInt8(ascii: "@"))
            if (rule == .keep || rule == .structure) && !hasAt { return }
            scanner.position = start
            let text = try scanner.parseString()
            if observing {
                switch rule {
                case .ipAddress, .macAddress, .name, .unknown: pseudonymiser.observe(text)
                default: break
                }
                return
            }
            let replacement = replace(text, rule: rule)
            guard replacement != text else { return }
            count(memberName, rule == .keep || rule == .structure ? "e-mail inside kept text" : (rule == .unknown ? "undocumented field, treated as a name" : rule.method))
            splice(range, Self.encodeString(replacement))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try scanner.skipValue()
            guard rule.identifies, !observing else { return }
            let literal = Array(UnsafeBufferPointer(rebasing: buffer[start..<scanner.position]))
            let replacement = pseudonymiser.number(literal)
            if replacement != literal {
                count(memberName, "number in an identifying field")
                splice(start..<scanner.position, replacement)
            }
        default:
            try scanner.skipValue()
        }
    }

    private func count(_ member: String, _ method: String) {
        replacements["\(member.isEmpty ? "(record)" : member)\t\(method)", default: 0] += 1
    }

    func replace(_ text: String, rule: ScrubRule) -> String {
        switch rule {
        case .verbatim: return text
        case .keep, .structure: return pseudonymiser.emails(in: text)
        case .reference: return pseudonymiser.identifier(text, isReference: true)
        case .serial: return pseudonymiser.identifier(text, isReference: false)
        case .name: return pseudonymiser.any(text)
        case .ipAddress:
            if let address = pseudonymiser.ipAddress(text) { return address }
            // Several addresses in one string ("10.0.0.1, 10.0.0.2").
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            if parts.count > 1 {
                let mapped = parts.map { part -> String? in
                    let trimmed = part.drop { $0 == " " }
                    return pseudonymiser.ipAddress(String(trimmed)).map { String(repeating: " ", count: part.count - trimmed.count) + $0 }
                }
                if mapped.allSatisfy({ $0 != nil }) { return mapped.map { $0! }.joined(separator: ",") }
            }
            return pseudonymiser.any(text)
        case .macAddress:
            return pseudonymiser.macAddress(text) ?? pseudonymiser.any(text)
        case .unknown:
            return Self.looksHarmless(text) ? pseudonymiser.emails(in: text) : pseudonymiser.any(text)
        }
    }

    /// Enum constants (`SOME_VALUE`), numbers, versions, booleans and timestamps: values of
    /// undocumented members that cannot name anyone. A dotted quad is not one of them.
    static func looksHarmless(_ text: String) -> Bool {
        if text.isEmpty || ["true", "false", "null"].contains(text) { return true }
        let bytes = Array(text.utf8)
        let isEnumConstant = bytes.contains(UInt8(ascii: "_"))
            && bytes.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "_") }
        if isEnumConstant { return true }
        let isNumeric = bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }
        if isNumeric { return Pseudonymiser.parseIPv4(text) == nil }
        // RFC 3339 timestamps: digits and the few separators they use, starting with a year.
        if bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
           bytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ":-+.TZtz ".utf8.contains($0) }) {
            return true
        }
        return false
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, the rest UTF-8.
    static func encodeString(_ text: String) -> [UInt8] {
        var output: [UInt8] = [UInt8(ascii: "\"")]
        let hex = Array("0123456789abcdef".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20: output += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
        return output
    }
}
