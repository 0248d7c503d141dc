package org.gradprobe.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import org.gradprobe.data.DataException;
import org.gradprobe.io.SafeTensors;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.nn.SpecException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code gradprobe} command. */
@Command(name = "gradprobe", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Shows where gradients go wrong in a neural network.%n",
        subcommands = {DemoCommand.class, TrainCommand.class, DiagnoseCommand.class, ZooCommand.class, EvalCommand.class, GradsCommand.class,
            ModelsCommand.class, CheckCommand.class, ReportCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"%nRun 'gradprobe COMMAND --help' for the options of a command. Add --debug to any command for stack traces."})
public final class Main implements Runnable {
    static boolean debug;
    private static PrintWriter warnings = new PrintWriter(System.err, true);

    /** Prints one warning line on stderr ("gradprobe: warning: ..."); the command goes on. */
    static void warn(String message) {
        warnings.println("gradprobe: warning: " + message);
        warnings.flush();
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static final String VERSION = versionString();

    private static String versionString() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    static final class Version implements CommandLine.IVersionProvider {
        public String[] getVersion() {
            return new String[] {"gradprobe " + VERSION, "java " + System.getProperty("java.version") + ", "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch")};
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        // System.out swallows write errors: a full disk or a closed pipe would otherwise lose the output with exit 0
        if (System.out.checkError() && code == 0) {
            System.err.println("gradprobe: cannot write to standard output (stdout: a full disk, or the reader closed the pipe)");
            code = 1;
        }
        System.exit(code);
    }

    /** Runs the command line with the given streams; returns the exit code (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(new CommandLine(new Main()), args, out, err);
    }

    /** As above, with the command tree given (tests add commands to it). */
    static int run(CommandLine cl, String[] args, PrintWriter out, PrintWriter err) {
        debug = false;
        warnings = err;
        for (String a : args) if (a.equals("--debug")) debug = true;
        String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals("--debug")).toArray(String[]::new);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            String cmd = ex.getCommandLine().getCommandName();
            err.println("gradprobe: " + ex.getMessage());
            err.println("Try 'gradprobe" + (cmd.equals("gradprobe") ? "" : " " + cmd) + " --help'.");
            err.flush();
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            int code = exitCode(ex);
            if (debug) ex.printStackTrace(err);
            err.println("gradprobe: " + message(ex));
            if (code == 2) err.println("Try 'gradprobe " + c.getCommandName() + " --help'.");
            err.flush();
            return code;
        });
        cl.setExecutionStrategy(Main::executeNamingOutOfMemory);
        Doing.reset();
        try {
            Kernels.describe();    // chooses the kernels now, so a bad GRADPROBE_KERNELS is one line, not a trace
        } catch (ExceptionInInitializerError e) {
            if (debug) e.printStackTrace(err);
            err.println("gradprobe: " + e.getCause().getMessage());
            err.flush();
            return 2;
        }
        int code = cl.execute(rest);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * Runs the parsed command. picocli hands only Exceptions to the execution exception handler; an
     * Error such as OutOfMemoryError (thrown on this thread, or on a kernel worker and rethrown here
     * by Parallel) would escape {@code execute} as a stack trace. It is turned into {@link OutOfMemory}
     * here, while the arrays that filled the heap are already unreachable.
     */
    private static int executeNamingOutOfMemory(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult last = parsed;
        while (last.hasSubcommand()) last = last.subcommand();
        CommandLine command = last.commandSpec().commandLine();
        try {
            return new CommandLine.RunLast().execute(parsed);
        } catch (OutOfMemoryError e) {
            throw new CommandLine.ExecutionException(command, "out of memory",
                    new OutOfMemory(Doing.outOfMemory(command.getCommandName()), e));
        } catch (StackOverflowError e) {
            // the readers and the spec planner limit nesting; this catches what a small -Xss still overflows
            throw new CommandLine.ExecutionException(command, "stack overflow", new IllegalStateException("'" + command.getCommandName()
                    + "': the input is nested too deeply for the thread's stack: simplify it, or give Java more stack with GRADPROBE_JAVA_OPTS=-Xss16m", e));
        }
    }

    /** An OutOfMemoryError, with what was being done and what to lower (exit code 1). */
    static final class OutOfMemory extends RuntimeException {
        OutOfMemory(String message, OutOfMemoryError cause) {
            super(message, cause);
        }
    }

    static int exitCode(Throwable ex) {
        if (ex instanceof UsageException || ex instanceof SpecException) return 2;
        return 1;
    }

    static String message(Throwable ex) {
        if (ex instanceof DataException || ex instanceof SafeTensors.SafeTensorsException || ex instanceof UsageException
                || ex instanceof SpecException || ex instanceof UncheckedIOException || ex instanceof IllegalArgumentException
                || ex instanceof IllegalStateException || ex instanceof OutOfMemory) {
            return ex.getMessage();
        }
        return ex.getClass().getSimpleName() + (ex.getMessage() != null ? ": " + ex.getMessage() : "") + " (run with --debug for details)";
    }
}
