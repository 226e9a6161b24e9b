/// A reader's events made into canonical lines on both cores, in input order: the
/// reading thread fills blocks, `threads` threads make a block's lines each, and each
/// block is merged back as one thread would have written it (`BlockRing`). The ways in
/// are the readers': `copy` of an ActivityWatch export (ActivityWatchBlocks.swift) and of
/// a CSV reader's rows (CSVRowBlocks.swift).
public struct BothCores {
  let diagnostics: Diagnostics
  let keeps: @Sendable (Int64) -> Bool
  let progress: Progress?
  /// nil: each way's own size.
  let blockBytes: Int?
  /// nil: each way's own count of threads making lines.
  let threads: Int?
  /// For a CSV reader: whether its blocks are cut unparsed (nil: as the reader says,
  /// `CSVRowBlockReading.cutsBlocksUnparsed`).
  let cutsBlocks: Bool?

  /// `keeps` says which event starts (UTC milliseconds) are written.
  public init(diagnostics: Diagnostics, keeping keeps: @escaping @Sendable (Int64) -> Bool, progress: Progress? = nil,
              blockBytes: Int? = nil, threads: Int? = nil, cutsBlocks: Bool? = nil) {
    self.diagnostics = diagnostics
    self.keeps = keeps
    self.progress = progress
    self.blockBytes = blockBytes.map { max(1, $0) }
    self.threads = threads.map { max(1, $0) }
    self.cutsBlocks = cutsBlocks
  }
}
