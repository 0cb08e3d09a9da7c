import Foundation

exit(await ApprovalService.main(Array(CommandLine.arguments.dropFirst())))
