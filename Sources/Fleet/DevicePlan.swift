/// The decisions that shape one synthetic device, drawn before anything is written.
///
/// Each dimension is a variant the mapping must handle (see the mapping contract's general rules
/// and M05–M15). Random devices draw every dimension with realistic weights; the first devices
/// of a fleet also walk through every variant on purpose (see `FleetGenerator.plan`), so even a
/// fleet of a few hundred devices covers all of them.
struct DevicePlan {
    enum FamilyIdEncoding: CaseIterable { case integer, digitString, absent }
    enum OSShape: CaseIterable { case full, versionNameOnly, absent }
    enum IPShape: CaseIterable {
        case privateV4WithPublic, publicEqualsPrimary, privateV4NoPublic, ipv6Primary, noPrimary, noAddresses, emptyPrimary
    }
    enum AdapterShape: CaseIterable { case one, several, withoutMac, none, absent }
    enum ProfileShape: CaseIterable { case one, two, empty, absent }
    enum TimestampForm: CaseIterable {
        case wholeSecondsZ, millisecondsZ, microsecondsZ, nanosecondsZ, oddFractionZ, lowerZ
        case positiveOffset, negativeOffset, spaceSeparator, absent
    }
    enum DescriptionShape: CaseIterable { case text, absent, empty }
    enum NameShape: CaseIterable { case hostname, renamed, displayOnly, originalOnly, neither }
    /// An index into `Catalogue.enrollmentStatuses`, or the field left out.
    enum EnrollmentShape: CaseIterable { case finished, pending, failed, unspecified, absent }
    enum ParentShape: CaseIterable { case known, orphan, absent }

    var kindIndex: Int
    var familyIdEncoding: FamilyIdEncoding
    var deviceTypePresent: Bool
    var isMobilePresent: Bool
    var osShape: OSShape
    var ipShape: IPShape
    var adapterShape: AdapterShape
    var profileShape: ProfileShape
    var timestampForm: TimestampForm
    var descriptionShape: DescriptionShape
    var nameShape: NameShape
    var enrollment: EnrollmentShape
    var parent: ParentShape

    // Weights, in the order of each enum's cases.
    private static let familyIdWeights = WeightTable([94, 4, 2])
    private static let osShapeWeights = WeightTable([95, 4, 1])
    private static let ipShapeWeights = WeightTable([70, 5, 12, 5, 4, 3, 1])
    private static let adapterShapeWeights = WeightTable([55, 30, 8, 5, 2])
    private static let profileShapeWeights = WeightTable([93, 4, 2, 1])
    private static let timestampWeights = WeightTable([30, 15, 10, 10, 5, 5, 10, 5, 5, 5])
    private static let descriptionWeights = WeightTable([60, 30, 10])
    private static let nameWeights = WeightTable([80, 10, 5, 4, 1])
    private static let enrollmentWeights = WeightTable([90, 4, 2, 2, 2])
    private static let parentWeights = WeightTable([98, 1, 1])

    /// A plan with every dimension drawn at its realistic frequency.
    static func random(_ random: inout SplitMix64) -> DevicePlan {
        DevicePlan(
            kindIndex: random.weighted(Catalogue.kindWeights),
            familyIdEncoding: FamilyIdEncoding.allCases[random.weighted(familyIdWeights)],
            deviceTypePresent: random.percent(98),
            isMobilePresent: random.percent(95),
            osShape: OSShape.allCases[random.weighted(osShapeWeights)],
            ipShape: IPShape.allCases[random.weighted(ipShapeWeights)],
            adapterShape: AdapterShape.allCases[random.weighted(adapterShapeWeights)],
            profileShape: ProfileShape.allCases[random.weighted(profileShapeWeights)],
            timestampForm: TimestampForm.allCases[random.weighted(timestampWeights)],
            descriptionShape: DescriptionShape.allCases[random.weighted(descriptionWeights)],
            nameShape: NameShape.allCases[random.weighted(nameWeights)],
            enrollment: EnrollmentShape.allCases[random.weighted(enrollmentWeights)],
            parent: ParentShape.allCases[random.weighted(parentWeights)])
    }

    /// How many "quirk" showcase devices it takes for every combination that matters to appear:
    /// 20 is a multiple of each dimension's case count that matters together (profile shape 4 ×
    /// adapter shape 5, so every adapter shape appears inside a hardware profile).
    static let quirkScheduleLength = 20

    /// The `step`-th quirk showcase: each dimension cycles through all its cases.
    mutating func applyQuirks(step: Int) {
        familyIdEncoding = Self.cycle(FamilyIdEncoding.allCases, step)
        deviceTypePresent = step % 2 == 0
        isMobilePresent = step % 4 != 3
        // Offset so that "operatingSystem absent" never hides the "familyId absent" case.
        osShape = Self.cycle(OSShape.allCases, step / 5)
        ipShape = Self.cycle(IPShape.allCases, step)
        adapterShape = Self.cycle(AdapterShape.allCases, step)
        profileShape = Self.cycle(ProfileShape.allCases, step)
        timestampForm = Self.cycle(TimestampForm.allCases, step)
        descriptionShape = Self.cycle(DescriptionShape.allCases, step)
        nameShape = Self.cycle(NameShape.allCases, step)
        enrollment = Self.cycle(EnrollmentShape.allCases, step)
        // Orphans and parentless devices stay a few, as in a real tenant.
        parent = step % 10 == 1 ? .orphan : step % 10 == 2 ? .absent : .known
    }

    private static func cycle<T>(_ cases: [T], _ step: Int) -> T {
        cases[step % cases.count]
    }
}
