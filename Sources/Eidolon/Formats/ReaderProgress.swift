/// The readers that say how far into their input they are, for progress bars and summaries
/// (`eidolon` reads them through EventReader and asks this of each).
extension EidolonNDJSONReader: InputCounting {}
extension ActivityWatchReader: InputCounting {}
extension TogglCSVReader: InputCounting {}
extension TogglJSONReader: InputCounting {}
extension RescueTimeAPIReader: InputCounting {}
extension RescueTimeHistoryReader: InputCounting {}
extension RescueTimeDailySummaryReader: InputCounting {}
