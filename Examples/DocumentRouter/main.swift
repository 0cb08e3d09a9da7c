import Foundation

exit(DocumentRouter.main(Array(CommandLine.arguments.dropFirst())))
