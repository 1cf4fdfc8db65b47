// EPUBCheck over many files in one JVM, for tests/formats/epubcheck.py: one JVM start and one
// schema load (~5 s of CPU) instead of one per file. Run in source-file mode (Java 11+):
//   java -cp epubcheck.jar EpubCheckMany.java a.epub b.epub ...
// Prints the checker's messages, then "RESULT<TAB>path<TAB>fatal<TAB>errors<TAB>warnings" per file.
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.util.DefaultReportImpl;
import java.io.File;

public class EpubCheckMany {
    public static void main(String[] args) {
        System.setErr(System.out); // messages and results in one stream, in order
        for (String path : args) {
            System.out.println("BEGIN\t" + path);
            DefaultReportImpl report = new DefaultReportImpl(path);
            new EpubCheck(new File(path), report).doValidate();
            System.out.println("RESULT\t" + path + "\t" + report.getFatalErrorCount() + "\t"
                + report.getErrorCount() + "\t" + report.getWarningCount());
        }
    }
}
