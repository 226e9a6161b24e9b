/// How RescueTime names what was used, shared by the readers and the writer.
public enum RescueTimeActivity {
  /// RescueTime writes this where an activity has no document or detail.
  public static let noDetails = "No Details"
}
