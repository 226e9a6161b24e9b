@testable import Eidolon
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// BlockRing: blocks taken by whichever thread is free come back merged in input order,
/// no more than `inFlight` out once `handOff` returns; a merge that throws stops the run
/// where it is; the threads run below their caller's priority.
@Suite struct BlockRingTests {
  final class NumberBlock: HandedBlock {
    var number = -1
    var squared = -1
    /// The handling thread's nice value.
    var niceness: Int32 = 0
  }

  struct Stop: Error {}

  /// A ring whose threads square each block's number after a pause of up to 300 µs (so
  /// blocks finish out of order); `merge` is given each block on the caller's thread.
  private func ring(threads: Int, inFlight: Int?, merge: @escaping (NumberBlock) throws -> Void) throws -> BlockRing<NumberBlock> {
    try BlockRing<NumberBlock>(threads: threads, blockBytes: 16, inFlight: inFlight, doing: "test", handler: {
      var random = SplitMix(state: 11)
      return { block in
        usleep(UInt32(random.below(300)))
        block.squared = block.number * block.number
        errno = 0
        block.niceness = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
      }
    }, merge: merge)
  }

  private func filled(_ ring: BlockRing<NumberBlock>, _ number: Int) -> NumberBlock {
    let block = ring.emptyBlock()
    block.number = number
    block.input.append(0x2A)  // (a block with nothing in it is not handled)
    return block
  }

  @Test(arguments: [(1, nil), (3, nil), (3, 8), (2, 4)] as [(Int, Int?)])
  func blocksComeBackInInputOrder(threads: Int, inFlight: Int?) throws {
    var merged: [Int] = []
    var wrong: [Int] = []
    let ring = try ring(threads: threads, inFlight: inFlight) { block in
      merged.append(block.number)
      if block.squared != block.number * block.number { wrong.append(block.number) }
    }
    let limit = inFlight ?? threads
    for number in 0..<300 {
      try ring.handOff(filled(ring, number))
      #expect(number + 1 - merged.count <= limit, "\(number + 1 - merged.count) blocks out after handing block \(number)")
    }
    try ring.mergeOutstanding()
    #expect(merged == Array(0..<300))
    #expect(wrong.isEmpty)
    // The ring is used again after.
    try ring.handOff(filled(ring, 300))
    try ring.mergeOutstanding()
    #expect(merged.last == 300)
  }

  /// Each block is handed after a pause, to threads that have all gone back to waiting,
  /// and the caller often waits for the oldest: each wake-up reaches a thread that can go
  /// on (one waiting thread for a block, the caller for the block it merges next), and none
  /// is lost, or the run would hang here.
  @Test(arguments: [(3, 1), (2, 4)] as [(Int, Int)])
  func blocksHandedToWaitingThreadsAreAllMerged(threads: Int, inFlight: Int) throws {
    var merged: [Int] = []
    let ring = try ring(threads: threads, inFlight: inFlight) { merged.append($0.number) }
    var random = SplitMix(state: 5)
    for number in 0..<120 {
      if number % 3 == 0 { usleep(UInt32(random.below(600))) }
      try ring.handOff(filled(ring, number))
    }
    try ring.mergeOutstanding()
    #expect(merged == Array(0..<120))
  }

  @Test func aMergeThatThrowsStopsTheRunWhereItIs() throws {
    var merged: [Int] = []
    let ring = try ring(threads: 3, inFlight: 5) { block in
      merged.append(block.number)
      if block.number == 17 { throw Stop() }
    }
    var stoppedAt: Int?
    for number in 0..<60 {
      do {
        try ring.handOff(filled(ring, number))
      } catch is Stop {
        stoppedAt = number
        break
      }
    }
    #expect(stoppedAt != nil && stoppedAt! >= 17)
    #expect(ring.stopped)
    try ring.handOff(filled(ring, 99))
    try ring.mergeOutstanding()
    #expect(merged == Array(0...17))
  }

  @Test func aBlockWithNothingInItIsNotMerged() throws {
    var merged: [Int] = []
    let ring = try ring(threads: 2, inFlight: nil) { merged.append($0.number) }
    try ring.handOff(filled(ring, 0))
    let empty = ring.emptyBlock()
    empty.number = 1
    try ring.handOff(empty)
    try ring.handOff(filled(ring, 2))
    try ring.mergeOutstanding()
    #expect(merged == [0, 2])
  }

  @Test func theThreadsRunBelowTheCallersPriority() throws {
    errno = 0
    let own = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    var seen: [Int32] = []
    let ring = try ring(threads: 2, inFlight: nil) { seen.append($0.niceness) }
    for number in 0..<8 { try ring.handOff(filled(ring, number)) }
    try ring.mergeOutstanding()
    #expect(seen == Array(repeating: min(19, own + BlockRing<NumberBlock>.helperNiceness), count: 8))
    // Only the threads: the caller's own priority is as it was.
    #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == own)
  }
}

/// HandOffThread: blocks handled in the order handed, however many may wait (`spares`);
/// an error stops the handling where it was met and comes back to the caller.
@Suite struct HandOffThreadTests {
  final class Box {
    var number = -1
  }

  struct Stop: Error {}

  @Test(arguments: [1, 2, 4])
  func blocksAreHandledInTheOrderHanded(depth: Int) throws {
    let handled = Box()  // (read after `drain`, which waits on the thread's lock)
    var order: [Int] = []
    let thread = try HandOffThread<Box>(spares: (0..<depth).map { _ in Box() }, doing: "test") { box in
      usleep(UInt32(box.number % 7 * 30))
      order.append(box.number)
      handled.number = box.number
    }
    for number in 0..<200 { try thread.hand { $0.number = number } }
    try thread.drain()
    #expect(order == Array(0..<200))
    #expect(handled.number == 199)
  }

  @Test func anErrorStopsTheHandlingAndComesBack() throws {
    var order: [Int] = []
    let thread = try HandOffThread<Box>(spares: [Box(), Box()], doing: "test") { box in
      if box.number == 50 { throw Stop() }
      order.append(box.number)
    }
    var caught = false
    for number in 0..<100 {
      do {
        try thread.hand { $0.number = number }
      } catch is Stop {
        caught = true
        break
      }
    }
    if !caught { caught = (try? thread.drain()) == nil }
    #expect(caught)
    thread.stop()
    #expect(order == Array(0..<50))
  }
}
