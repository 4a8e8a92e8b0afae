import Foundation
import JSON

/// A connector under the client contract (`Conformance/CLIENTS.md`): its command template and
/// the capabilities it declares.
package struct ClientDeclaration: Sendable {
    /// The contract version this runner implements.
    package static let contractVersion = 1

    /// The command, already split into argv; `{placeholders}` are expanded per run.
    package var command: [String]
    /// Declared capabilities, each with the arguments appended when a case uses it (may be empty).
    package var capabilities: [String: [String]]
    /// Variables of the runner's own environment passed through unchanged (PATH and HOME by default).
    package var passedEnvironment: [String]

    package init(command: [String], capabilities: [String: [String]] = [:], passedEnvironment: [String] = ["PATH", "HOME"]) {
        self.command = command
        self.capabilities = capabilities
        self.passedEnvironment = passedEnvironment
    }

    /// Every capability a case may need, with what it promises.
    package static let knownCapabilities: [String: String] = [
        "ocsf-strict": "maps with the ocsf-strict profile when given the capability's arguments",
        "checkpoint": "keeps a checkpoint in CONFORMANCE_WORKDIR and, on the next run, sends only devices synced since the last accepted cycle",
        "full-resync": "with the capability's arguments, ignores the checkpoint and sends every device",
        "allow-missing-groups": "with the capability's arguments, sends devices without groups when the groups cannot be loaded",
        "request-timeout": "with the capability's arguments, gives up an ESET call not answered within {request_timeout} seconds, after at most one retry",
    ]

    /// The placeholders a command or capability argument may use (never a secret: secrets
    /// only travel in the environment).
    package static let placeholders = [
        "region", "username", "eset_base_url", "sekoia_url", "connector_uuid", "case", "workdir", "timeout", "batch_size", "request_timeout",
    ]

    /// Our own `eset-connector` binary under the contract: the same settings the in-process
    /// suite uses (no client-side rate limit, short first backoff), nothing else.
    package static func esetConnector(binary: String) -> ClientDeclaration {
        ClientDeclaration(
            command: [
                binary, "collect", "--region", "{region}", "--username", "{username}", "--eset-url", "{eset_base_url}",
                "--sekoia-url", "{sekoia_url}", "--connector-uuid", "{connector_uuid}", "--state-dir", "{workdir}",
                "--batch-size", "{batch_size}", "--rate-limit", "off", "--retry-delay", "0.05",
            ],
            capabilities: [
                "ocsf-strict": ["--profile", "ocsf-strict"],
                "checkpoint": [],
                "full-resync": ["--full"],
                "allow-missing-groups": ["--allow-missing-groups"],
                "request-timeout": ["--timeout", "{request_timeout}", "--max-retries", "1"],
            ])
    }

    /// Reads a capabilities file: `{"contract": 1, "capabilities": {"name": ["arg", …], …}}`.
    package static func loadCapabilities(_ url: URL) throws -> [String: [String]] {
        let json = try readJSONFile(url)
        if let contract = json["contract"], contract != .int(Int64(contractVersion)) {
            throw CaseError(url.path, "\"contract\" is \(contract.jsonText); this runner implements contract \(contractVersion)")
        }
        guard let object = json["capabilities"]?.objectValue else {
            throw CaseError(url.path, "expected an object with a \"capabilities\" object (name → array of arguments)")
        }
        var capabilities: [String: [String]] = [:]
        for key in object.keys {
            guard ClientDeclaration.knownCapabilities[key] != nil else {
                throw CaseError(url.path, "unknown capability \(key.debugDescription); known: \(knownCapabilities.keys.sorted().joined(separator: ", "))")
            }
            guard let values = object[key]?.arrayValue, values.allSatisfy({ $0.stringValue != nil }) else {
                throw CaseError(url.path, "capability \(key.debugDescription) must map to an array of argument strings")
            }
            capabilities[key] = values.compactMap(\.stringValue)
        }
        return capabilities
    }

    /// Splits a command line without a shell: blanks separate words; '…' keeps text as is;
    /// "…" keeps text with \" and \\ escapes; a backslash outside quotes escapes the next character.
    /// No variable, glob or tilde expansion.
    package static func splitCommand(_ text: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var iterator = Array(text).makeIterator()
        enum Quote { case none, single, double }
        var quote = Quote.none
        while let character = iterator.next() {
            switch quote {
            case .single:
                if character == "'" { quote = .none } else { current.append(character) }
            case .double:
                if character == "\"" {
                    quote = .none
                } else if character == "\\" {
                    guard let next = iterator.next() else { throw CommandSyntaxError(message: "the command ends inside a quote") }
                    if next != "\"" && next != "\\" { current.append("\\") }
                    current.append(next)
                } else {
                    current.append(character)
                }
            case .none:
                if character == " " || character == "\t" || character == "\n" {
                    if inWord { words.append(current) }
                    current = ""
                    inWord = false
                } else if character == "'" {
                    quote = .single
                    inWord = true
                } else if character == "\"" {
                    quote = .double
                    inWord = true
                } else if character == "\\" {
                    guard let next = iterator.next() else { throw CommandSyntaxError(message: "the command ends with a lone backslash") }
                    current.append(next)
                    inWord = true
                } else {
                    current.append(character)
                    inWord = true
                }
            }
        }
        guard quote == .none else { throw CommandSyntaxError(message: "the command ends inside a quote") }
        if inWord { words.append(current) }
        guard !words.isEmpty else { throw CommandSyntaxError(message: "the command is empty") }
        return words
    }

    /// Replaces `{name}` in one argument; `{{` and `}}` stand for literal braces.
    package static func expand(_ argument: String, values: [String: String]) throws -> String {
        var out = ""
        var index = argument.startIndex
        while index < argument.endIndex {
            let character = argument[index]
            let next = argument.index(after: index)
            if character == "{", next < argument.endIndex, argument[next] == "{" {
                out.append("{")
                index = argument.index(after: next)
            } else if character == "}", next < argument.endIndex, argument[next] == "}" {
                out.append("}")
                index = argument.index(after: next)
            } else if character == "{" {
                guard let close = argument[next...].firstIndex(of: "}") else {
                    throw CommandSyntaxError(message: "unclosed '{' in \(argument.debugDescription) (write {{ for a literal brace)")
                }
                let name = String(argument[next..<close])
                guard let value = values[name] else {
                    let secret = ["password", "api_key", "sekoia_api_key", "eset_password"].contains(name.lowercased())
                    throw CommandSyntaxError(
                        message: secret
                            ? "{\(name)} is not a placeholder: secrets never travel in argv; read ESET_PASSWORD / SEKOIA_API_KEY from the environment"
                            : "unknown placeholder {\(name)}; known: \(placeholders.map { "{\($0)}" }.joined(separator: ", "))")
                }
                out += value
                index = argument.index(after: close)
            } else {
                out.append(character)
                index = next
            }
        }
        return out
    }

    /// Checks every placeholder of the command and capability arguments against the known names,
    /// and that the program can be found (on the `PATH` the client will get).
    package func validate() throws {
        let dummy = Dictionary(uniqueKeysWithValues: Self.placeholders.map { ($0, "") })
        for argument in command + capabilities.values.flatMap({ $0 }) { _ = try Self.expand(argument, values: dummy) }
        guard let program = command.first, !program.contains("{") else { return }
        let path = passedEnvironment.contains("PATH") ? ProcessInfo.processInfo.environment["PATH"] : nil
        guard Subprocess.resolve(program, path: path) != nil else {
            throw CommandSyntaxError(
                message: "cannot find the executable \(program.debugDescription)" + (program.contains("/") ? "" : " on PATH"))
        }
    }
}

/// A command template or capability that cannot be used as written.
package struct CommandSyntaxError: Error, Sendable, CustomStringConvertible {
    package var message: String
    package var description: String { message }

    package init(message: String) { self.message = message }
}
