import Foundation

/// The default tenant (this directory's JSON files and `scenarios/`), shipped as SwiftPM
/// resources so that it is found the same way in a source checkout, an installed binary's build
/// directory, and a package that depends on this one.
package enum ESETMockData {
    /// The directory holding `devices.json`, `device_groups.json`, `accounts.json` and
    /// `scenarios/`, inside this target's resource bundle.
    package static var directory: URL {
        // The files are copied flat into the bundle; locate one of them rather than relying on
        // `resourceURL`, whose meaning differs between Darwin bundles and Linux directories.
        if let devices = Bundle.module.url(forResource: "devices", withExtension: "json") {
            return devices.deletingLastPathComponent()
        }
        return Bundle.module.bundleURL
    }
}
