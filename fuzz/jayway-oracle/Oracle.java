import com.jayway.jsonpath.*;
import com.jayway.jsonpath.spi.json.PlainJsonProvider;
import java.io.*;
import java.util.*;

/** Reads lines `[path, document]`, prints `{"compile":msg}`, `{"ok":value,"definite":b}` or `{"fail":class,"message":msg}`. */
public class Oracle {
    public static void main(String[] args) throws Exception {
        PlainJsonProvider json = new PlainJsonProvider();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        String line;
        while ((line = in.readLine()) != null) {
            List<?> pair = (List<?>) json.parse(line);
            String path = (String) pair.get(0);
            Object doc = pair.get(1);
            Map<String, Object> result = new LinkedHashMap<>();
            JsonPath compiled = null;
            try { compiled = JsonPath.compile(path); }
            catch (Throwable e) { result.put("compile", e.getClass().getSimpleName() + ": " + e.getMessage()); }
            if (compiled != null) {
                result.put("definite", compiled.isDefinite());
                try { Object v = compiled.read(doc); result.put("ok", v); }
                catch (Throwable e) { result.put("fail", e.getClass().getSimpleName()); result.put("message", String.valueOf(e.getMessage())); }
            }
            out.println(json.toJson(result));
        }
    }
}
