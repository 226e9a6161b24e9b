import Testing

@testable import Eidolon

/// The generic CSV reader's field enum has to line up with the names it is looked up by.
@Suite struct GenericCSVFieldTests {
  @Test func eachFieldIsNamedAsItsCase() {
    #expect(GenericCSVReader.Field.allCases.count == GenericCSVReader.mappableFields.count)
    for field in GenericCSVReader.Field.allCases {
      #expect(String(describing: field) == field.name)
    }
    for raw in GenericCSVReader.Field.optionalStrings {
      #expect(Event.optionalStringNames[raw - GenericCSVReader.Field.stream.rawValue] == GenericCSVReader.Field(rawValue: raw)!.name)
    }
  }
}
