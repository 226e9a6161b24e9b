/// Which column holds each role of a header, for lookups once per row and role: an
/// array by the role's raw value, not a dictionary (hashing the roles took a tenth of
/// rt-read's and toggl-read's time).
public struct ColumnIndex<Role: RawRepresentable & CaseIterable>: Sendable where Role.RawValue == Int {
  private var columns = [Int?](repeating: nil, count: Role.allCases.count)

  public init() {}

  @inline(__always)
  public subscript(role: Role) -> Int? {
    get { columns[role.rawValue] }
    set { columns[role.rawValue] = newValue }
  }
}
