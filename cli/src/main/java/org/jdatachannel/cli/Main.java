package org.jdatachannel.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code jdatachannel-cli.jar}: {@code serve} (the signaling server and peer) and
 * {@code connect} (the test client). {@code java -jar jdatachannel-cli.jar --help} lists options.
 */
@Command(name = "jdatachannel", mixinStandardHelpOptions = true, version = "jdatachannel 0.1.0-SNAPSHOT",
        description = "A pure-Java WebRTC data-channel peer.",
        subcommands = {ServeCommand.class, ConnectCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        // ice4j keeps non-daemon threads: exit explicitly with the command's status.
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: serve or connect");
    }
}
