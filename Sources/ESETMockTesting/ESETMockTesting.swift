// A test that imports ESETMockTesting names the mock's own types (`MockAccount`, `MockRegion`,
// `MockFixtures`, …) without a second import.
@_exported import ESETMock
