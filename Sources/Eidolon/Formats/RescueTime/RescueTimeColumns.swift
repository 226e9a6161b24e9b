/// Which column of an Analytic Data API response holds what, found by header name
/// (`row_headers` in JSON, the header line in CSV), and which report
/// (restrict_kind and perspective) the headers belong to (formats/rescuetime.md).
public struct RescueTimeColumns: Sendable {
  public enum Role: Int, CaseIterable, Sendable {
    case date, rank, person, seconds, people, activity, document, category, productivity
    case efficiency, efficiencyPercent
  }

  /// The reports (restrict_kind values); "overview" and "category" share one header.
  public enum Report: String, CaseIterable, Sendable {
    case activity, document, overview, category, productivity, efficiency
  }

  public enum Perspective: String, Sendable {
    /// Rows per time bucket (a Date column).
    case interval
    /// Totals over the requested range, ranked (a Rank column).
    case rank
    /// Totals per person (a Person column).
    case member
  }

  /// Header names (lower case) for each role.
  static let names: [String: Role] = [
    "date": .date, "rank": .rank, "person": .person,
    "time spent (seconds)": .seconds, "number of people": .people,
    "activity": .activity, "document": .document, "category": .category, "productivity": .productivity,
    "efficiency (-2:2)": .efficiency, "efficiency (percent)": .efficiencyPercent,
  ]

  public private(set) var index = ColumnIndex<Role>()
  /// Columns with no role, kept in attrs under their header.
  public private(set) var others: [(index: Int, name: String)] = []
  public let header: [String]
  public let perspective: Perspective
  public let report: Report

  /// `kind` settles what the headers cannot: a Category-only header is overview or
  /// category. Throws when the header is not an Analytic Data API header.
  public init(header: [String], kind: Report?) throws {
    self.header = header
    var index = ColumnIndex<Role>()
    for (i, name) in header.enumerated() {
      let key = name.trimmingSpaces().lowercased()
      if let role = RescueTimeColumns.names[key], index[role] == nil {
        index[role] = i
      } else {
        others.append((i, name))
      }
    }
    self.index = index
    guard index[.seconds] != nil else {
      throw EidolonError(.syntax, "not a RescueTime Analytic Data API header: no \"Time Spent (seconds)\" column (found: \(header.prefix(8).joined(separator: ", ")))")
    }
    if index[.date] != nil {
      perspective = .interval
    } else if index[.rank] != nil {
      perspective = .rank
    } else if index[.person] != nil {
      perspective = .member
    } else {
      throw EidolonError(.syntax, "a RescueTime header starts with Date, Rank or Person (found: \(header.prefix(8).joined(separator: ", ")))")
    }
    let found: Report
    if index[.document] != nil {
      found = .document
    } else if index[.activity] != nil {
      found = .activity
    } else if index[.efficiency] != nil || index[.efficiencyPercent] != nil {
      found = .efficiency
    } else if index[.category] != nil {
      found = kind == .overview ? .overview : .category
    } else if index[.productivity] != nil {
      found = .productivity
    } else {
      throw EidolonError(.syntax, "a RescueTime header names Activity, Category, Productivity or Efficiency (found: \(header.joined(separator: ", ")))")
    }
    if let kind, kind != found, !(found == .category && kind == .category) {
      throw EidolonError(.usage, "--kind \(kind.rawValue) does not fit this file: its header (\(header.joined(separator: ", "))) is the \(found.rawValue) report's")
    }
    report = found
  }

  /// The header of a report as the API writes it (interval perspective).
  public static func header(for report: Report) -> [String] {
    let start = ["Date", "Time Spent (seconds)", "Number of People"]
    switch report {
    case .activity: return start + ["Activity", "Category", "Productivity"]
    case .document: return start + ["Activity", "Document", "Category", "Productivity"]
    case .overview, .category: return start + ["Category"]
    case .productivity: return start + ["Productivity"]
    case .efficiency: return start + ["Efficiency (-2:2)", "Efficiency (percent)"]
    }
  }
}
