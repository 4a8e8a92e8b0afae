import ESET
import JSON

/// `--rejects FILE`: every rejected device, one JSON object per line:
/// `{"page": 2, "index": 17, "reason": "device has no 'uuid'", "device": {...as received...}}`.
package final class RejectsFile {
    private let path: String
    private var output: NDJSONOutput?
    package private(set) var count = 0

    package init(path: String) { self.path = path }

    package func beginCycle() throws {
        output?.abandon()
        output = try NDJSONOutput.file(path)
        count = 0
    }

    package func write(_ rejection: DeviceRejection) throws {
        var writer = JSONWriter()
        writer.beginObject()
        if let page = rejection.page {
            writer.key("page")
            writer.int(page)
        }
        writer.key("index")
        writer.int(rejection.index)
        writer.key("reason")
        writer.string(rejection.reason.description)
        writer.key("device")
        writer.value(rejection.raw)
        writer.endObject()
        try output?.writeLine(writer.bytes)
        count += 1
    }

    /// Makes the file final (atomically, like the NDJSON output), once the cycle completed.
    package func finish() throws {
        try output?.commit()
        output = nil
    }

    /// The cycle failed: the previous rejects file, if any, stays as it was.
    package func abandon() {
        output?.abandon()
        output = nil
    }
}
