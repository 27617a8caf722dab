import * as assert from 'node:assert/strict';
import { decideLength, opensBlock, type MaxLinesSetting } from '../../../src/completion/multiline';

/** `|` marks the cursor. */
function decide(code: string, languageId: string, setting: MaxLinesSetting = 'auto'): string {
  const at = code.indexOf('|');
  return decideLength({ prefix: code.slice(0, at), suffix: code.slice(at + 1), languageId, setting });
}

describe('completion one-line-or-block decision', () => {
  describe('TypeScript / JavaScript', () => {
    it('block on an empty line after a function opener', () => {
      assert.equal(decide('function sum(xs: number[]) {\n  |\n}\n', 'typescript'), 'block');
    });
    it('block in an empty body `{|}`', () => {
      assert.equal(decide('const handler = () => {|}', 'javascript'), 'block');
    });
    it('block at the end of a line that opens a block', () => {
      assert.equal(decide('if (user.isAdmin) {|\n', 'typescript'), 'block');
    });
    it('block after an arrow whose body comes on the next line', () => {
      assert.equal(decide('const f = (x) =>\n  |', 'javascript'), 'block');
    });
    it('line in the middle of a statement', () => {
      assert.equal(decide('const total = items.|\n', 'typescript'), 'line');
    });
    it('line when real text follows the cursor', () => {
      assert.equal(decide('const x = |foo(bar);\n', 'typescript'), 'line');
    });
    it('closing brackets after the cursor do not prevent a block', () => {
      assert.equal(decide('items.forEach((item) => {|});', 'typescript'), 'block');
    });
    it('line after an ordinary statement', () => {
      assert.equal(decide('function f() {\n  const a = 1;\n  |\n}', 'typescript'), 'line');
    });
    it('block below a comment that says what comes', () => {
      assert.equal(decide('// parse the header fields\n|\n', 'typescript'), 'block');
    });
    it('line inside a line comment', () => {
      assert.equal(decide('// compute the |', 'typescript'), 'line');
    });
    it('an opener inside a trailing comment does not count', () => {
      assert.equal(opensBlock('foo(); // see {', 'typescript'), false);
    });
  });

  describe('Python', () => {
    it('block after def ...:', () => {
      assert.equal(decide('def mean(values):\n    |\n', 'python'), 'block');
    });
    it('block at the end of an if line', () => {
      assert.equal(decide('if x > 0:|', 'python'), 'block');
    });
    it('line after a plain statement', () => {
      assert.equal(decide('def f():\n    total = 0\n    |\n', 'python'), 'line');
    });
    it('line inside a # comment; block below one', () => {
      assert.equal(decide('# load the |', 'python'), 'line');
      assert.equal(decide('# load the config file\n|', 'python'), 'block');
    });
    it('a dict literal opener and a commented block line open blocks; a slice does not', () => {
      assert.equal(opensBlock('config = {', 'python'), true);
      assert.equal(opensBlock('for item in items:  # each', 'python'), true);
      assert.equal(opensBlock('head = items[:3]', 'python'), false);
    });
  });

  describe('Go', () => {
    it('block in a func body', () => {
      assert.equal(decide('func (s *Server) Start() error {\n\t|\n}\n', 'go'), 'block');
    });
    it('line after a statement inside a func', () => {
      assert.equal(decide('func main() {\n\tx := 1\n\t|\n}\n', 'go'), 'line');
    });
  });

  describe('Rust', () => {
    it('block in a match arm body', () => {
      assert.equal(decide('match cmd {\n    Command::Run => {\n        |\n    }\n}', 'rust'), 'block');
    });
    it('line in the middle of a let', () => {
      assert.equal(decide('let v: Vec<u32> = |;', 'rust'), 'line');
    });
  });

  describe('Java', () => {
    it('block in a method body', () => {
      assert.equal(decide('public int size() {\n    |\n}', 'java'), 'block');
    });
    it('block below an Allman-style brace', () => {
      assert.equal(decide('public void run()\n{\n    |\n}', 'java'), 'block');
    });
    it('line in an argument list with text after', () => {
      assert.equal(decide('list.add(|value);', 'java'), 'line');
    });
  });

  describe('C / C++', () => {
    it('block in an empty function body (C)', () => {
      assert.equal(decide('int main(int argc, char **argv) {\n    |\n}', 'c'), 'block');
    });
    it('block after a for loop opener (C++)', () => {
      assert.equal(decide('for (auto& x : xs) {|}', 'cpp'), 'block');
    });
    it('line after #include', () => {
      assert.equal(decide('#include <stdio.h>\n|', 'c'), 'line');
    });
  });

  describe('the maxLines setting', () => {
    it('line forces one line even after an opener', () => {
      assert.equal(decide('function f() {\n  |\n}', 'typescript', 'line'), 'line');
    });
    it('block allows a block after an ordinary statement', () => {
      assert.equal(decide('const a = 1;\n|', 'typescript', 'block'), 'block');
    });
    it('block still keeps one line when real text follows the cursor', () => {
      assert.equal(decide('const x = |foo;', 'typescript', 'block'), 'line');
    });
  });

  it('block in an empty file, a line at the top of a non-empty one', () => {
    assert.equal(decide('|', 'python'), 'block');
    assert.equal(decide('|\nimport os\n', 'python'), 'line');
  });
});
