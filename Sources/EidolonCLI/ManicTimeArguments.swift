import ArgumentParser
import Eidolon

// mt-read and mt-write both take these on the command line.
extension ManicTimeCSVReader.Timeline: ExpressibleByArgument {}
extension ManicTimeDateTime.DateOrder: ExpressibleByArgument {}
extension ManicTimeReader.Variant: ExpressibleByArgument {}
