// The most used passwords of public breach corpora (lower-case), and the product's own defaults.
// Short on purpose: the policy also strips leading and trailing digits and symbols before looking
// a password up, so "Password123!" and "2024qwertyuiop" are caught by their stems.
const LIST = `
123456 123456789 12345678 12345 1234567 1234567890 123123 1234 111111 000000 654321 666666
121212 112233 123321 7777777 888888 987654321 147258369 159753 123654 1q2w3e4r 1q2w3e4r5t
1q2w3e 1qaz2wsx qazwsx qwerty qwerty123 qwertyuiop qwertz azerty asdfgh asdfghjkl asdf
zxcvbn zxcvbnm qweasd qweasdzxc zaq12wsx zaq1zaq1 1qazxsw2 q1w2e3r4 q1w2e3r4t5 abc123 abcd1234
abcdef abcdefg abcdefgh a1b2c3 aaaaaa password password1 passw0rd p4ssw0rd pass pass123 passwd
password123 passpass secret secret123 letmein welcome welcome1 welcome123 hello hello123
helloworld iloveyou iloveyou1 loveyou love lovely lover loveme trustno1 admin admin123
administrator root toor changeme changeit default guest guest123 user user123 test test123
testing tester demo demo123 temp temp123 sample master master123 monkey dragon football
baseball basketball soccer hockey tennis golfer superman batman spiderman pokemon starwars
startrek matrix shadow sunshine princess princesa flower flowers butterfly rainbow summer
winter autumn spring michael michelle jennifer jessica ashley amanda daniel david robert
charlie thomas jordan hunter andrew joshua matthew anthony william jonathan justin taylor
nicole samantha elizabeth maggie ginger pepper buster tigger bailey cookie chocolate cheese
banana orange apple cherry peanut biscuit freedom whatever nothing computer internet google
facebook youtube twitter linkedin microsoft windows linux ubuntu apple123 samsung iphone
mustang ferrari porsche corvette harley yamaha killer hacker access access14 login logon
money money123 monday friday sunday family forever jesus christ angel angels heaven
blessed god faith hope destiny success killer1 soccer1 football1 baseball1 superstar star
stars rockstar rockyou rocky boomer chelsea arsenal liverpool barcelona madrid juventus
cowboys yankees lakers eagles steelers packers raiders dolphins patriots tigers lions bears
jordan23 michael1 charlie1 ranger ranger1 thunder hammer dakota phoenix cheyenne sierra
silver golden diamond crystal purple yellow black white red green blue bluesky
letmein1 whatever1 qwerty1 qwerty12 asdfasdf asdf1234 zxcv1234 qwer1234 1234qwer 12qwaszx
a123456 aa123456 abc12345 qwe123 qwe123qwe 123qwe 123abc 123456a 123456q 12345a 1234abcd
pa55word pa55w0rd p@ssw0rd p@ssword passw0rd1 letmein123 welcome2 changeme123 default1
secure security secret1 private public system sysadmin webadmin manager support service
office company business server database oracle mysql postgres postgresql mariadb redis
contextforge mcpgateway gateway mcp ibm
`;

/** The list, as a set of lower-case passwords. */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(LIST.split(/\s+/).filter((p) => p.length > 0));
