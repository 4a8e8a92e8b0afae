import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One run of a connector, as the runner asks for it.
package struct ConnectorInvocation: Sendable {
    /// The argv after the executable: `collect …` for `eset-connector`, or a client's expanded command.
    package var arguments: [String]
    /// The complete environment of the run (nothing is inherited beyond what is listed here).
    package var environment: [String: String]
    /// Seconds after which the run is stopped and scored as a hang.
    package var timeout: Double

    package init(arguments: [String], environment: [String: String], timeout: Double) {
        self.arguments = arguments
        self.environment = environment
        self.timeout = timeout
    }
}

/// How a connector run ended, and what it printed.
package struct ConnectorExit: Sendable {
    package enum Termination: Sendable, Equatable {
        /// The process (or in-process command) returned this status.
        case exited(Int32)
        /// The process was ended by this signal (a crash: it was not the runner's doing).
        case signalled(Int32)
        /// The run outlived its timeout and the runner stopped it.
        case timedOut
        /// The runner could not start it (missing executable, …).
        case notStarted(String)
    }

    package var termination: Termination
    package var standardOutput: String
    package var standardError: String
    package var seconds: Double

    package init(termination: Termination, standardOutput: String, standardError: String, seconds: Double) {
        self.termination = termination
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.seconds = seconds
    }

    /// The exit status, or -1 when the run did not return one.
    package var status: Int32 {
        if case .exited(let status) = termination { return status }
        return -1
    }
}

/// How the conformance runner starts a connector. `Conformance` knows nothing else about the
/// connector under test: our own is injected in process by `eset-conformance` and the tests,
/// any other (our release binary included) runs as a command under the client contract
/// (`Conformance/CLIENTS.md`).
package struct ConnectorLauncher: Sendable {
    /// What the runner says to the connector.
    package enum Interface: Sendable {
        /// `eset-connector collect` arguments; judged on the NDJSON file, stderr and exit status
        /// as well as on the contract's outcome classes.
        case esetConnector
        /// The client contract: environment variables, a command template, declared capabilities;
        /// judged on what the mock saw and received only.
        case contract(ClientDeclaration)
    }

    /// How reports name the connector.
    package var name: String
    package var interface: Interface
    /// Runs one invocation to its end (or its timeout); never throws.
    package var launch: @Sendable (ConnectorInvocation) async -> ConnectorExit

    package init(name: String, interface: Interface, launch: @escaping @Sendable (ConnectorInvocation) async -> ConnectorExit) {
        self.name = name
        self.interface = interface
        self.launch = launch
    }

    /// A command implementation called in this process with `collect …` arguments and an
    /// environment; it returns its exit status and what it wrote.
    package static func inProcess(
        name: String = "eset-connector (in process)",
        _ command: @escaping @Sendable (_ arguments: [String], _ environment: [String: String]) async -> (status: Int32, standardOutput: String, standardError: String)
    ) -> ConnectorLauncher {
        ConnectorLauncher(name: name, interface: .esetConnector) { invocation in
            let clock = Date()
            let result = await command(invocation.arguments, invocation.environment)
            return ConnectorExit(
                termination: .exited(result.status), standardOutput: result.standardOutput, standardError: result.standardError,
                seconds: Date().timeIntervalSince(clock))
        }
    }

    /// Any command, run as a subprocess under the client contract.
    package static func command(_ client: ClientDeclaration, name: String? = nil) -> ConnectorLauncher {
        ConnectorLauncher(name: name ?? client.command.joined(separator: " "), interface: .contract(client)) { invocation in
            await Subprocess.run(invocation)
        }
    }

    /// Our built `eset-connector` binary, run as a subprocess under the same client contract.
    package static func esetConnectorBinary(_ path: String) -> ConnectorLauncher {
        command(.esetConnector(binary: path), name: "eset-connector binary \(path)")
    }
}

/// Runs a process with a deadline, capturing its output in files (no pipe to fill up and block on).
enum Subprocess {
    /// The most of each stream kept for judging and reports.
    static let captureLimit = 4 << 20
    /// Between SIGTERM at the deadline and SIGKILL.
    static let killGrace = 2.0

    static func run(_ invocation: ConnectorInvocation) async -> ConnectorExit {
        let clock = Date()
        guard let program = invocation.arguments.first else {
            return ConnectorExit(termination: .notStarted("empty command"), standardOutput: "", standardError: "", seconds: 0)
        }
        guard let executable = resolve(program, path: invocation.environment["PATH"]) else {
            return ConnectorExit(
                termination: .notStarted("cannot find the executable \(program.debugDescription)\(program.contains("/") ? "" : " on PATH")"),
                standardOutput: "", standardError: "", seconds: 0)
        }
        let captureDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("eset-conformance-io-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: captureDirectory) }
        let outputURL = captureDirectory.appendingPathComponent("stdout")
        let errorURL = captureDirectory.appendingPathComponent("stderr")
        let process = Process()
        let outputHandle: FileHandle
        let errorHandle: FileHandle
        do {
            try FileManager.default.createDirectory(at: captureDirectory, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: outputURL.path, contents: nil)
            FileManager.default.createFile(atPath: errorURL.path, contents: nil)
            outputHandle = try FileHandle(forWritingTo: outputURL)
            errorHandle = try FileHandle(forWritingTo: errorURL)
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = Array(invocation.arguments.dropFirst())
            process.environment = invocation.environment
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = outputHandle
            process.standardError = errorHandle
        } catch {
            return ConnectorExit(termination: .notStarted("cannot prepare the run: \(error)"), standardOutput: "", standardError: "", seconds: 0)
        }
        // The child has its own copies; a long certification must not run out of descriptors.
        defer {
            try? outputHandle.close()
            try? errorHandle.close()
        }
        let timedOut = Atomic<Bool>(false)
        let termination: ConnectorExit.Termination = await withCheckedContinuation { continuation in
            let resumed = Atomic<Bool>(false)
            process.terminationHandler = { finished in
                guard !resumed.exchange(true, ordering: .acquiringAndReleasing) else { return }
                if timedOut.load(ordering: .acquiring) {
                    continuation.resume(returning: .timedOut)
                } else if finished.terminationReason == .uncaughtSignal {
                    continuation.resume(returning: .signalled(finished.terminationStatus))
                } else {
                    continuation.resume(returning: .exited(finished.terminationStatus))
                }
            }
            do {
                try process.run()
            } catch {
                if !resumed.exchange(true, ordering: .acquiringAndReleasing) {
                    continuation.resume(returning: .notStarted("cannot start \(executable): \(error.localizedDescription)"))
                }
                return
            }
            let pid = process.processIdentifier
            let deadline = DispatchTime.now() + max(0.01, invocation.timeout)
            DispatchQueue.global().asyncAfter(deadline: deadline) {
                guard !resumed.load(ordering: .acquiring) else { return }
                timedOut.store(true, ordering: .releasing)
                kill(pid, SIGTERM)
                DispatchQueue.global().asyncAfter(deadline: .now() + killGrace) {
                    if !resumed.load(ordering: .acquiring) { kill(pid, SIGKILL) }
                }
            }
        }
        return ConnectorExit(
            termination: termination, standardOutput: tail(of: outputURL), standardError: tail(of: errorURL),
            seconds: Date().timeIntervalSince(clock))
    }

    /// The last `captureLimit` bytes of a capture file.
    static func tail(of url: URL) -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let start = size > UInt64(captureLimit) ? size - UInt64(captureLimit) : 0
        try? handle.seek(toOffset: start)
        return String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
    }

    /// `program` itself when it names a path, else its first executable match on `path`.
    static func resolve(_ program: String, path: String?) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
