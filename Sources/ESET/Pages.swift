import JSON

/// One answer of `GET /v1/devices`.
package struct DevicePage: Sendable {
    package var devices: [ESETDevice]
    /// Where each of `devices` stood in the page's `devices` array (0-based), for reports.
    package var positions: [Int]
    /// Raw devices that cannot be mapped, with their index in this page.
    package var rejections: [DeviceRejection]
    /// The token of the next page; nil when this was the last page (`""`, missing or `null`).
    package var nextPageToken: String?
    /// How many entries the page's `devices` array had (mapped + rejected).
    package var rawCount: Int { devices.count + rejections.count }

    /// Decodes a page. Accepts `{"devices": [...], "nextPageToken": ...}` or a bare array of
    /// devices (for files written by hand). One bad device never spoils the others.
    package static func decode(_ json: JSONValue, page: Int?) throws(PageDecodingError) -> DevicePage {
        let (elements, next) = try listEnvelope(json, member: "devices", page: page)
        var devices: [ESETDevice] = []
        devices.reserveCapacity(elements.count)
        var positions: [Int] = []
        positions.reserveCapacity(elements.count)
        var rejections: [DeviceRejection] = []
        for (index, element) in elements.enumerated() {
            switch ESETDevice.decode(element) {
            case .success(let device):
                devices.append(device)
                positions.append(index)
            case .failure(let reason): rejections.append(DeviceRejection(page: page, index: index, reason: reason, raw: element))
            }
        }
        return DevicePage(devices: devices, positions: positions, rejections: rejections, nextPageToken: next)
    }
}

/// One answer of `GET /v1/device_groups`.
package struct DeviceGroupPage: Sendable {
    package var groups: [ESETDeviceGroup]
    /// Entries skipped because they had no usable uuid (no device can point at them).
    package var skipped: Int
    package var nextPageToken: String?

    /// Decodes a page: `{"deviceGroups": [...], "nextPageToken": ...}` or a bare array of groups.
    package static func decode(_ json: JSONValue, page: Int?) throws(PageDecodingError) -> DeviceGroupPage {
        let (elements, next) = try listEnvelope(json, member: "deviceGroups", page: page)
        let groups = elements.compactMap(ESETDeviceGroup.init(json:))
        return DeviceGroupPage(groups: groups, skipped: elements.count - groups.count, nextPageToken: next)
    }
}

/// The entries and next-page token of a list answer `{"MEMBER": [...], "nextPageToken": ...}`, or
/// of a bare array. A missing or null list is empty (proto3 JSON omits empty repeated fields); a
/// list of another JSON type is an error for the whole page, never silently empty.
func listEnvelope(_ json: JSONValue, member: String, page: Int?) throws(PageDecodingError) -> (elements: [JSONValue], next: String?) {
    switch json {
    case .array(let array):
        return (array, nil)
    case .object(let object):
        switch object[member] {
        case nil, .null?: return ([], object["nextPageToken"].presentString)
        case .array(let array)?: return (array, object["nextPageToken"].presentString)
        case let other?: throw PageDecodingError(page: page, reason: "'\(member)' is a JSON \(other.typeName), not an array")
        }
    default:
        throw PageDecodingError(page: page, reason: "the page is a JSON \(json.typeName), not an object")
    }
}

/// A page whose shape is wrong as a whole (not one bad device in it).
package struct PageDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    package var page: Int?
    package var reason: String

    package init(page: Int?, reason: String) {
        self.page = page
        self.reason = reason
    }

    package var description: String { (page.map { "page \($0): " } ?? "") + reason }
}
