// The words coding agents use for a need, against the words servers use in tool names and descriptions.
// Curated by hand for developer tooling (files, version control, code hosting, CI, containers, databases,
// browsers, the web, chat, documents, knowledge and memory); measured by `npm run eval`.

import { stem } from './text.js';

/**
 * Abbreviations and shorthand that mean exactly their expansion (the expansion is searched at full weight).
 * Keys and values are plain words; a value may be a phrase.
 */
const SHORTHAND: Record<string, string> = {
  pr: 'pull request', prs: 'pull request', mr: 'merge request', mrs: 'merge request', repo: 'repository', repos: 'repository',
  dir: 'directory', dirs: 'directory', cwd: 'working directory', mkdir: 'create directory', ls: 'list directory', cd: 'working directory',
  rm: 'delete', mv: 'move', cp: 'copy', cat: 'read file', grep: 'search', env: 'environment', envs: 'environment', cfg: 'configuration',
  conf: 'configuration', config: 'configuration', k8s: 'kubernetes', kube: 'kubernetes', db: 'database', dbs: 'database',
  ci: 'pipeline', msg: 'message', msgs: 'message', img: 'image', pic: 'image', docs: 'documentation',
  info: 'information', pkg: 'package', deps: 'dependencies', auth: 'authentication', id: 'identifier',
  js: 'javascript', ts: 'typescript', py: 'python', gh: 'github', prod: 'production', gl: 'gitlab', mongo: 'mongodb', pg: 'postgres', postgresql: 'postgres',
  psql: 'postgres', sql: 'sql query', dm: 'direct message', ss: 'screenshot', xhr: 'network request', ajax: 'network request',
  a11y: 'accessibility', repl: 'interactive process', tty: 'terminal', pid: 'process', proc: 'process', ui: 'interface',
  org: 'organization', orgs: 'organization', kv: 'key value', ttl: 'expiry', gcal: 'calendar',
  todo: 'task', todos: 'task', stacktrace: 'stack trace', traceback: 'stack trace', kubectl: 'kubectl kubernetes',
  helm: 'helm chart', atlas: 'mongodb', npm: 'package', wiki: 'page', lat: 'latitude', lng: 'longitude', lon: 'longitude', geo: 'location',
  req: 'request', addr: 'address', bg: 'background', md: 'markdown',
  st: 'status',
};

/** Groups of words (or phrases) an agent uses for about the same idea; any member in a query also looks for the others. */
const GROUPS = `
folder | directory
file | document
save | write | store | persist | create
fact | observation | note
person | entity | people
link | relation | relationship | connect | associate
connection | relation
note | observation | comment
delete | remove | erase | wipe | destroy | discard | purge | drop
clear | delete | reset
create | make | new | add | open | start | generate | init | initialize | set up
edit | modify | change | update | patch | alter | tweak | replace | amend
rename | move
copy | duplicate | clone | fork
read | view | show | open | look | see | inspect | display | print | content | get | retrieve
show | get | list | view | display | describe | retrieve
find | search | look up | lookup | locate | seek | discover | query
fetch | download | get | retrieve | grab | pull
upload | push | send | publish
list | enumerate | all
run | execute | exec | launch | start | invoke | trigger | kick off | fire
stop | kill | terminate | end | abort | cancel | halt | shut down
close | shut | quit | exit
wait | until | appear | disappear
message | post | chat | notify | tell | say | announce | ping | send
reply | respond | answer | thread
comment | remark | feedback | review
approve | review | accept | sign off
reject | request changes
error | bug | issue | exception | crash | failure | problem | incident | fault
log | output | printed | console
test | spec | suite
flaky | intermittent | unstable | flake
build | pipeline | ci | workflow | job
deploy | release | rollout | ship | deployment
rollback | roll back | revert | undo | previous
container | pod | docker
cluster | kubernetes | kubectl
replica | scale | instance
restart | rollout | redeploy
context | cluster | kubeconfig
chart | helm | release
node | machine | host
drain | cordon | maintenance | evict
port forward | tunnel | expose | forward
shell into | exec | run inside
explain | meaning | documentation | describe
namespace | project
screenshot | capture | snapshot | screen | picture | image
click | press | tap | push button | hit
type | enter | fill | input | key in
dropdown | select | option | choose | pick | combobox
hover | mouse over | mouseover
page | web page | site | website | url | link
navigate | go to | visit | browse | load | open url
go back | back | previous page
tab | window
dialog | popup | alert | confirm | prompt | modal
network | request | xhr | http | traffic | api call
attach | upload | file input
drag | drop | move
accessibility | aria | snapshot | dom | tree
viewport | window | resize | size | dimensions | width | height
dark mode | color scheme | theme | media
key | keyboard | keystroke
form | fields | inputs
javascript | script | code | evaluate | eval
coordinates | latitude | longitude | location | position | geocode
address | street | place | location
route | directions | itinerary | turn by turn
drive | travel | distance | commute | duration | how long
elevation | altitude | height | above sea level
nearby | near | around | close to
business | place | shop | restaurant | store
user | person | member | profile | account | who
channel | room | conversation
reaction | emoji
branch | ref
commit | snapshot | check in | revision
stage | index | add
stash | shelve | set aside | save for later
tag | mark | label | version
history | log | commits | timeline
diff | changes | changed | difference | compare
blame | author | who wrote | who changed | annotate | last touched
merge | combine | integrate | join
rebase | replay | reapply
reset | undo | unstage | discard
cherry pick | apply commit | pick commit
remote | origin | upstream
reflog | recover | lost
checkout | switch | change branch
worktree | working tree | side by side
untracked | stray | leftover | artifact
repository | project
issue | ticket | bug
pull request | merge request | change request | code review
status | state | check | passing | green | red
check | status | ci
database | db | datastore | store
table | collection | schema
row | record | document | entry | item
column | field | attribute | property
schema | structure | shape | columns | fields | layout
index | key
count | how many | number of | total | tally
aggregate | group | sum | total | pipeline | statistics
sql | query | select
slow | performance | plan | optimize | explain
documentation | docs | reference | manual | guide | official | api
library | package | framework | module | dependency
think | reason | reasoning | step by step | reflect | plan | analyze
research | investigate | deep dive | sources | study
crawl | spider | whole site | entire site | every page
map | sitemap | urls | links
extract | scrape | parse | pull out | structured
paper | arxiv | academic | publication | article
cite | citation | related | references
monitor | watch | recurring | schedule | track changes | alert | every day
pdf | document | report
process | pid | program | task
terminal | shell | command | console | cli
config | configuration | settings | setting | preferences | options
environment | variables | env vars
design | mockup | layout | styles | frame | component | figma
icon | image | asset | svg | png | graphic
page | doc | document | note | wiki
property | field | status
sum | add | plus | total | calculate | math
echo | repeat | say back | mirror
toggle | turn on | turn off | switch | enable | disable
size | biggest | largest | space | bytes
tree | hierarchy | nested | recursive | structure | layout
metadata | info | details | stats | modified | timestamp | permissions
allowed | permitted | access | accessible | touch
media | image | audio | binary | png | jpg
multiple | several | many | batch | bulk | at once | side by side
release | version | ship
replay | recording | session
root cause | diagnose | analyze | fix | why
resolve | close | assign | mark
validate | lint | check | verify
artifact | output | download
usage | cost | credits
team | group
secret | token | key | credential
finish | end | complete
collaborator | member | teammate
`;

/**
 * What an agent's word or phrase means in the words servers use (one way only: the servers' words do not
 * mean the agent's). `word => phrase, phrase`.
 */
const MEANS = `
remember => memory, store memory, add observation, create entity, knowledge graph, memorize
memorize => memory, add observation, create entity
recall => search memory, search knowledge graph
forget => delete memory, delete entity, delete observation, remove
saved => stored, memory, persisted
later => memory, stored, stash
note => observation
notes => observation
fact => observation
facts => observation
preference => observation, setting, configuration
prefers => observation, preference
uncommitted => working tree status, unstaged, untracked, modified, diff
work in progress => uncommitted changes, stash
wip => uncommitted changes, stash
pending changes => working tree status, diff
local changes => working tree status, diff
local branches => branch
open issues => list issues
open pull requests => list pull requests
open prs => list pull requests
google => web search, search engine
look up online => web search
search online => web search
online => web search, internet
internet => web, web search
up for review => pull request, create pull request
for review => pull request, review
code review => pull request review
hog => cpu usage, memory usage, process
hogging => cpu usage, memory usage, process
cpu => process, usage, resource
ram => memory usage, process
inside => contents, content
in one go => multiple, at once, batch
at once => multiple, batch
in bulk => multiple, batch, many
comment on => add comment, create comment
reply to => reply
devtools => console, browser, developer tools
crashloop => crash, restart, describe, logs
crashlooping => crash, restart, describe, logs
crashing => crash, error, logs
table => sql, schema, collection, database
tables => sql, schema, collection, database
columns => schema, fields, sql, describe
rows => records, documents, sql, query
terminal => process, shell, command
console => terminal, log, messages
profile => user, details
who => user, author, person
who else => collaborator, member
who is on => collaborator, member, users
latest => recent, newest, last, current
recent => latest, last, history
get => find, fetch, retrieve
newest => latest, recent
finished => status, done, complete, completed
done => status, complete, completed
yet => status
progress => status
bump => update, scale, upgrade, increase
spin up => create, start, launch
tear down => delete, destroy, stop, uninstall
ship => deploy, release, publish
sha => commit
hash => commit
upstream => remote, fork, origin
official => documentation
tail => log, follow, recent output
printed => output, log, process output
says => output, log, message
hitting => affecting, errors
production => errors, deployed, environment
broken => error, failing, failure
failing => failure, error, failed
passing => status, success, tests
slow => performance, explain, plan, latency
speed up => performance, index, optimize
screenshot => capture, image
snapshot => screenshot, capture, accessibility
dark mode => color scheme, emulate media
light mode => color scheme, emulate media
mobile => viewport, resize, emulate
phone => mobile, viewport, resize
popup => dialog, alert, confirm, prompt
login => sign in, authentication, form
sign in => login, authentication
password => form, field, input
button => click, element
link => create relation, relation, url
relate => relation, link
path => file, directory
know => knowledge, memory
knows => knowledge, memory
du => disk usage, sizes, list directory sizes
disk usage => sizes, storage size
stat => metadata, information, file info
find and replace => edit, replace
glob => pattern, search files
sandbox => allowed directories
land => merge
squash => merge, rebase
lgtm => approve review
reopen => update issue
relabel => update label
usages => search code, start search
backlog => issues
thumbs up => reaction emoji
ack => reaction
catch up => history recent messages
scrollback => history
members => users
how far => distance
travel time => distance duration
opening hours => place details
rating => place details
how to get to => directions
where is => geocode location
find on page => find text page
new tab => tabs
reduced motion => emulate media
webpage => web page, scrape
page => browser, web page
api reference => documentation
examples => documentation, code examples
how to use => documentation
pod => kubernetes resource, container, kubectl
pods => kubernetes resource, container, kubectl
deployment => kubernetes resource, rollout, kubectl
deployments => kubernetes resource, rollout, kubectl
statefulset => kubernetes resource, kubectl
daemonset => kubernetes resource, kubectl
configmap => kubernetes resource, kubectl
ingress => kubernetes resource, kubectl
crd => kubernetes api resources
crds => kubernetes api resources
grep => search contents, search files, start search
ripgrep => search contents, start search
ps => list processes
stdin => input process
send input => interact process
discard changes => reset, checkout
unstage => reset
records => documents, rows
seed => insert
how big => size, storage, statistics
exceptions => issues, errors, sentry
mute => update issue, ignore
ignore => update issue
ci failure => build failure logs
build status => pipeline status
compress => gzip
zip => gzip, compress
keep in mind => memory, add observation, remember
jot down => observation, memory
note down => observation, memory
take note => observation, memory
memories => memory, knowledge graph
memory => knowledge graph
knowledge base => knowledge graph, knowledge
what we know => search memory, knowledge graph
what's in => list, contents
what is in => list, contents
depends on => relation, create relation, relations between entities
dependency between => relation
overwrite => write file, update file
append => write, edit, append to file
contents => read, file
subfolder => directory
subfolders => directory
subdirectory => directory
subdirectories => directory
modified => metadata, info
last modified => metadata, file info
created => metadata, create
permissions => metadata, info
wildcard => pattern, search files
image file => media file
picture => image, media
labelled => label, labels
labeled => label, labels
assignee => assign, assignees
milestone => issue
checks => status
ci checks => status checks
changed files => pull request files
review comments => pull request comments
behind main => update branch
sync with => update branch, pull, rebase
up to date => update, latest, pull
conflicts => merge
conflict => merge
amend => commit
staged => stage, add, status, staged changes
dm => message
announce => post message
discussion => history, messages, comments
conversation => history, messages, thread
said => history, messages
lately => recent, history
eta => duration, distance, directions
zip code => address, geocode
postcode => address, geocode
near me => nearby, places
restaurants => places
cafes => places
news => web search, news
grab => fetch, scrape, extract
every page => crawl
urls => map, links
keep an eye on => monitor
scroll => press key, mouse
enter text => type
fill in => fill, type
hit => press, click
average => aggregate
avg => aggregate
group by => aggregate
upsert => update
bulk insert => insert many
retry => rerun
re run => rerun
rerun => rerun workflow
trigger => run, pipeline
deploy logs => logs
events => describe, events
reachable => port forward
running => process, list processes
running processes => list processes
stack trace => issue, event, error
crash => issue, error
crashes => issue, error
release notes => releases, changelog
changelog => release, history, log
doc => page, documentation
wiki page => page
subpage => page, child
append to => patch block children, append
unresolved => issues, status, search issues
regression => issue, error
alert => issue, monitor
how many => count, statistics
size of => size, storage, statistics
disk space => size, storage
free up => clean, delete
leftover => untracked, clean
artifacts => artifact, output
crm => contacts, companies, deals
compass direction => bearing
heading => bearing
best order => optimization, optimal route
shortest route => optimization, directions
union => merge, combine
open pr => create pull request
open mr => create merge request
propose => create, pull request, merge request
file a => create, new
file an => create, new
report a => create issue
report an => create issue
report this => create issue
close => update, state, disconnect, stop
assign => update
reply => comment
respond => comment
defined => code, definition, contents, search code, start search
definition => code
implemented => code
implementation => code
reported => issue, search issues
known issue => search issues
already reported => search issues
duplicates => search issues, aggregate, group
duplicate issue => search issues
submit => create, post
leave => add, create
inline => comments, review comments
channel id => list channels
follow up => reply, thread
responses => replies, thread
everyone => users, all users, members
people => users
logged in => whoami, authenticated user, self
current user => whoami, authenticated user, self
authenticated as => whoami, authenticated user, self, bot user
am i => whoami, self
bullet => block
bullets => block
bullet list => block
paragraph => block
paragraphs => block
mark => update
notion database => data source
notion db => data source
notion table => data source
sorted by => query, sort
reorganize => move
relocate => move
as text => markdown
plain text => markdown
rewrite => update, replace
body => content
breakdown => distribution, tag values
unique => distribution
count of => counts, statistics
latency => performance, statistics, spans, events
p95 => latency, performance, aggregate, statistics, spans, events
p99 => latency, performance, aggregate, statistics, spans, events
client key => dsn
client keys => dsn
how do i => documentation, guide
how to => documentation, guide
occurrences => events
occurrence => event
look for => search, find
look in => search
rename => update
ci run => pipeline, build
consumption => usage
spend => usage, cost
billing => usage, cost
smaller => underused, resource class
oversized => underused, resource class
downsize => underused, resource class
together => multiple, single commit
open source => repositories
are open => list
still open => list
how many errors => events, counts, statistics
number of errors => events, counts, statistics
error count => events, counts
error counts => events, counts
error rate => events, statistics
errors per => events, aggregate
p50 => spans, events, aggregate
percentile => spans, events, aggregate
exception => sentry, issue, error
crash report => sentry, issue, event
crash reports => sentry, issues
set up => setup
setting up => setup
integrate => integration, setup
instrument => instrumentation
anyone => search
add => append, insert
add a row => create page, insert
new row => create page, insert
raise => create
log a bug => create issue
log an issue => create issue
log a ticket => create issue
referenced => code, search code
imported => code, search code
symbol => code, search code
readme => file, file contents
branch off => create branch
cut a => create
out of date => update branch, latest
outdated => update branch, latest
broadcast => post message
drop a note => post message
drop a message => post message
colleagues => users, members
coworkers => users, members
timezone => profile
time zone => profile
display name => profile
job title => profile
at the bottom => append
at the end => append
checklist => block, to do
trash => archived, in trash
new property => update, property, properties
most frequent => search, sort
most common => search, sort
unhandled => error, exception, issues
snooze => ignore, update issue
as fixed => resolved, resolve
close out => resolve, update
cause => root cause, analysis
causing => root cause, analysis
which browsers => tag values, distribution
by browser => tag values, distribution
which devices => tag values, distribution
operating systems => tag values, distribution
deploys => releases, deployment
who am i => whoami, authenticated user
flamegraph => profile
flame graph => profile
profiling => profile
minidump => attachment
crash dump => attachment
broke => failure, failed, error
sometimes => flaky, intermittent
nondeterministic => flaky
randomly => flaky
test cases => tests, test results
junit => test results
test report => test results
valid => validate
invalid => validate
syntax => validate
build outputs => artifacts
binaries => artifacts
coverage report => artifacts
design specs => design, layout, figma data
fonts => styles, visuals
colors => styles, visuals
typography => styles, visuals
spacing => layout
look through => search
search through => search
github handle => username, user
user handle => username, user
username => user
environments => tag values, distribution
content blocks => block children
new messages => history, recent
unread => history, recent
database entry => page
database row => page
database item => page
database entries => query data source
database rows => query data source
database items => query data source
issue details => resource, fetch
wrong => error, issues
sentry issues => search issues
sentry errors => search issues
sentry issue => resource
requested changes => reviews
throwing => error, exception, issues
thrown => error, exception, issues
throws => error, exception, issues
child blocks => block children
open => navigate
in the browser => navigate, browser
looks like => screenshot
look like => screenshot, schema, structure
renders => screenshot, snapshot
rendered => screenshot, snapshot
visually => screenshot
elements => snapshot, element
accessibility tree => accessibility snapshot
element refs => snapshot
search box => input, type, field
text box => input, type, field
textbox => input, type, field
input box => input, type, field
text field => input field, type
field => input field
escape => press key, keyboard
esc => press key, keyboard
shortcut => press key, keyboard
hotkey => press key, keyboard
keypress => press key
ctrl => press key, keyboard
arrow key => press key
enter key => press key
logged => log, console messages
console log => console messages
response body => full details, body, headers, network request, response
headers => full details, headers, body
payload => body, request
status code => network request
contain => find, search
contains => find, search
sleep => wait, time
seconds => wait, time
settle => wait
pause => wait, paused, status
url => webpage, web page
as json => structured, extract
results of => status, retrieve results
pdf => parse, file, read pdf
docx => parse, file
rate => feedback, rating
do i have => list
past => history, historical, previous
history => historical, commit history
past runs => historical checks, history
literature => search papers, papers, academic
papers on => search papers
papers about => search papers
articles => web search, articles
what address => reverse geocode, address
which address => reverse geocode, address
address is at => reverse geocode
address at => reverse geocode
what city => reverse geocode, address
which city => reverse geocode, address
hotel => places
hotels => places
gas station => places
gas stations => places
pharmacy => places
coffee => places
shops => places
within => radius, nearby
phone number => place details
reviews => reviews, place details
walking => directions, mode
walk => directions
driving => directions, distance, mode
drive to => directions
transit => directions, mode
cycling => directions, mode
how do i get => directions
replicaset => kubectl, kubernetes resource
cronjob => kubectl, kubernetes resource
namespace => kubectl, namespace, kubernetes resources
svc => kubectl, service
in detail => describe, details
push => apply
kill => delete
in place => patch, update
switch to => select, set, checkout, switch
spec => field, explain
kubectl explain => explain resource
kubectl exec => exec in pod
kubectl top => kubectl generic
kubectl drain => node management
kubectl cordon => node management
open a shell => exec, execute command
get a shell => exec, execute command
shell in => exec
clean up => cleanup, clean
alive => ping, responsive
health check => ping
healthy => ping
documents => collection, many
stats => statistics
statistics => stats
delete all => delete many
whose => match, filter
matching => match, filter
collection scan => explain, winning plan
using an index => explain, winning plan
scan => explain, plan
dump => export
fixture => insert, seed
fixtures => insert, seed
are in => list
exist => list
open connections => active connections, list connections
set => update
mark as => update, set
all => many
row => sql, records
join => aggregate
joining => aggregate
set the value => fill, type, input
set value => fill, input
right click => click, button
double click => click
how it looks => screenshot
looks broken => screenshot
page structure => accessibility snapshot
box => input, field
warnings => console, messages, log
javascript errors => console messages, errors
js errors => console messages, errors
end => close
ok => accept, dialog
bakery => places
dentist => places
dentists => places
doctor => places
hospital => places
gym => places
supermarket => places
grocery => places
nearby => places, local
article => webpage, web page, article
all pages => crawl
all the pages => crawl
whole website => crawl
entire website => crawl
citations => sources, research
compile a report => research, gather information
report on => research
spreadsheet => parse, file
xlsx => parse, file
notify me when => create monitor
alert me => create monitor
open now => opening hours, place details
crashloopbackoff => crash, restart, describe, logs
deploy => apply, install
sort by => sort
get rid of => delete, drop, remove
staging => environment, staging, stage
context menu => right click, click
screengrab => screenshot
screen grab => screenshot
screencap => screenshot
har => network requests
api calls => network requests
high contrast => contrast, forced colors, emulate media
file picker => file upload
file chooser => file upload
dropzone => drop, files
drop zone => drop, files
spinner => wait, disappear, text gone
loading => wait
intercept => playwright code, run code, route
mock => playwright code, run code
responsive => resize, viewport
localstorage => evaluate, javascript
cookies => evaluate, javascript, cookies
stack overflow => web search
stackoverflow => web search
blog posts => web search, articles
site structure => map, sitemap
distinct => aggregate
unique values => aggregate
import => insert
truncate => delete many, drop
empty the => delete many
connection string => connect
information schema => sql query
checkbox => click, check
tick => click, check
untick => click, uncheck
radio button => click
expand => click
accordion => click
log in => login, sign in, form
credentials => login, form, password
shown => snapshot, screenshot, show
tooltip => hover
computed style => evaluate, javascript
anywhere => find, search, recursively
on screen => page, screenshot
every url => map, urls
all urls => map
all the urls => map
list urls => map
recurring => create monitor, schedule
similar to => related
similar => related
postal address => reverse geocode, address
from coordinates => reverse geocode
km => distance
miles => distance
kilometers => distance
throw away => delete, drop, remove, discard, reset
load => insert
increment => update
decrement => update
save the result => export
save results => export
upload => file upload
coordinates for => geocode
coordinates of => geocode
address for => reverse geocode
address of => reverse geocode
readable address => reverse geocode
completed => status, complete
log into => login, sign in, connect
uri => url, connection string
go forward => navigate
collections => list collections
databases => list databases
cookie banner => click, accept
banner => click, button
consent => click, accept
paste => type, fill, input
textarea => input, type, field
visible => appear, wait
block until => wait
pod status => kubectl get, status
wrong with => describe, error, diagnose
container output => logs
backup => export
explain analyze => sql query, query
new name => rename
stop => close
pops up => dialog, popup
pop up => dialog, popup
confirmation => confirm, dialog
last working version => rollback, rollout, revision, revert
previous version => rollback, rollout, revision, revert
last known good => rollback, rollout, revision, revert
workloads off => drain, evict
workloads => kubectl, pods
hits an index => explain, winning plan
hits the index => explain, winning plan
uses an index => explain, winning plan
uses the index => explain, winning plan
build an index => create index
build index => create index
add an index => create index
curl => fetch, webpage, http request
wget => fetch, download, webpage
nuke => delete, drop, destroy, remove
blow away => delete, drop, destroy, remove
more pods => scale, replicas
more replicas => scale, replicas
more instances => scale, replicas
fewer => scale, replicas
down to zero => scale, replicas
to zero => scale, replicas
scale down => scale, replicas
scale up => scale, replicas
poke around => exec, shell, explore
snag => fetch, scrape, extract
html => scrape, html
back button => navigate back, go back
refresh => reload, navigate
reload => navigate
clean => delete, remove
cluster nodes => kubectl get, node
secret => kubectl, secret
secrets => kubectl, secret
set image => patch, image
atm => places
atms => places
add node => create entity
new node => create entity
remove node => delete entity
delete node => delete entity
unlink => delete relation, remove relation, delete relations
no longer related => delete relation
whole memory => read graph, entire knowledge graph
all memories => read graph, entire knowledge graph
entity => node
mentioning => search, containing, query
log file => read file, file
first lines => head, read file, offset
last lines => tail, read file, offset
new file => write file, create file, file
files in => list directory
folder contents => list directory
directory contents => list directory
project structure => directory tree
folder structure => directory tree
file tree => directory tree
repo layout => directory tree
recursively => recursive, tree
think => thinking, thoughts
think through => thinking, thoughts, problem solving
carefully => thinking, thoughts
step by step => thoughts, problem solving
brainstorm => thinking, thoughts, problem solving
react => library, framework
react to => reaction, emoji
react with => reaction, emoji
library identifier => library id
default shell => configuration, config value
blocked => configuration, blocked commands
as pdf => write pdf, create pdf
to pdf => write pdf, create pdf
codebase => code, files, contents
source code => code, contents
next page => more results, offset, pagination
more results => more search results
matches => results
npm test => start process, terminal command
npm run => start process, terminal command
npm install => start process, terminal command
pytest => start process, terminal command
shell command => terminal process, start process
in the background => start process, long running, process, background
background process => start process, long running
dev server => terminal process, process, start process, terminal
stdout => process output, output
stderr => process output, output, logs
python shell => interactive process, repl
interactive shell => interactive process
node shell => interactive process
how often => usage statistics, rates, counts, events, statistics, frequency
failure rate => usage statistics, rates
git add => stage, staging area
locally => local, git
local branch => git branch
another branch => other branches, branch
local copy => clone
download repo => clone repository
download a repo => clone repository, clone
download the repo => clone repository, clone
what changed => diff, changes
changed since => diff
version control => git repository, git
commits => commit history
last week => date range, since
yesterday => date range, since
by author => author
update local => pull
reorder => rebase
cleaner history => rebase
get it back => recover, restore
get back => recover, restore
uncommit => reset
undo commit => reset
aside => stash
put aside => stash
temporarily => stash
i modified => working tree status
i changed => diff, changes
dirty => working tree status, uncommitted, modified, status
working tree clean => working tree status
in parallel => worktree, parallel work
second copy => worktree
wrap up => wrapup, finish
before finishing => wrapup, checklist
unset => clear, remove
slow task => long running
long task => long running
node => entity
in this folder => list directory, directory
in this directory => list directory
search contents => start search, content search
search inside => start search
search file contents => start search, content search
text search => start search
find in files => start search
backport => cherry pick, apply commit
working tree => working directory
since last commit => diff
since the last commit => diff, changes
history of => commit history, log, history
remember about => search nodes, search memory
do i remember => search nodes, search memory
do we remember => search nodes, search memory
do i know => search nodes, search memory, knowledge graph
do we know => search nodes, search memory
to disk => write file, file
write out => write file
where is the file => search files, find file
reason about => thinking, thoughts, problem solving
reason through => thinking, thoughts, problem solving, sequential thinking
tradeoffs => thinking, problem solving
pros and cons => thinking, problem solving
usage examples => code examples, documentation
pip install => start process, terminal command
install dependencies => start process, terminal command
run a command => start process, terminal command
run command => start process, terminal command
in a terminal => start process, terminal
in the terminal => start process, terminal
bash => terminal, shell, start process
answer the prompt => send input, interact process
respond to prompt => send input, interact process
ctrl c => force terminate, terminate
sigint => force terminate, terminate
sigkill => kill process
memory usage => list processes, process, memory usage, cpu usage
running programs => list processes
every place => usages, search code, start search
call sites => search code, start search
callers => search code, start search
remaining => more results
telemetry => configuration, set config value
restore a file => restore files, checkout
restore the file => restore files, checkout
rename the branch => rename branch, branch
revert => restore files
local edits => working tree, uncommitted changes, restore
who edited => blame, author
who last => blame, author
last edited => blame, last modified
last commit => show commit, commit information, commit, head
commit graph => commit history, log
past month => date range, since
past week => date range, since
last month => date range, since
this week => date range, since
makefile => file
how large => size, metadata
file size => size, file info, metadata
these files => multiple files
two files => multiple files
three files => multiple files
both files => multiple files
docs for => query docs, library documentation
documentation for => query docs, library documentation
in the shell => start process, terminal
in a shell => start process, terminal
repl => start process
files containing => start search, search contents
files that contain => start search, search contents
source files => code, files
tool usage => usage statistics
tool calls => recent tool calls, usage statistics
make sure => ensure
path exists => create directory, ensure
preview => dry run
future sessions => memory, knowledge graph
next session => memory, knowledge graph
across sessions => memory, knowledge graph
compared to => diff, differences
compared with => diff, differences
entities and relations => read graph, entire knowledge graph
listening => list processes, process
find a string => start search, search contents
find text => start search, search contents
into one => squash, rebase
printable => pdf, write pdf
undo git add => unstage, reset
differ => diff, differences
touched => changed, modified, files changed
pull in => cherry pick, merge, apply, pull, git pull, pull changes, fetch
move head => reset head
go back => reset, restore
to a file => write file
into a file => write file
save a note => add observation, memory
make a note => add observation, memory
think about => thinking, thoughts
edge cases => thinking, problem solving
running script => running process, process
more output => process output
feed => send input, interact
shells => terminal sessions, terminal, shell
open sessions => list sessions, active sessions
break down => thinking, problem solving
one step at a time => thinking, thoughts
code samples => code examples, documentation
samples => examples, documentation
deprecated => documentation
last time => memory, search memory
do you remember => search nodes, search memory
do you know => search nodes, search memory
works at => relation, create relations
works on => relation
works for => relation, create relations
reports to => relation
belongs to => relation
part of => relation
gitignore => file, read file
both => multiple
delete lines => edit file
remove lines => edit file
comment out => edit file, edit
creation date => creation time, metadata, file info
linter => start process, terminal command
compile => start process, terminal command
force quit => kill process, force terminate
frozen => kill process, terminate
hung => kill process, terminate, stuck, force terminate, unresponsive
line limit => configuration, config value
change history => commit history, log, history
without merging => git fetch, download objects, refs, fetch
kick off => start, run, trigger, launch
fire up => start, launch, run
fire off => send, post, run, trigger
junk => untracked, clean, leftover
responds => ping, responsive, alive
tail the output => process output, read output
tail output => process output, read output
env vars => environment variables, get env
ship commits => push
ship the commits => push
ship my commits => push
bounce => restart, rollout
open bugs => list issues, bug
open tickets => list issues
pull up => get, show, view, get details
pull down => download, clone, git pull, fetch, pull
to local disk => clone, local
hop over to => switch, checkout
hop to => switch, checkout
second checkout => worktree, working trees
another checkout => worktree, working trees
separate checkout => worktree
scroll back => history, log, recent messages
tack => append
tack on => append
onto the end => append
rows from => query, query data source, records
rows in => query, query data source, records
hunt down => search, find
hunt for => search, find
blowing up => errors, issues, crash, exception
blow up => errors, crash, exception
how many times => occurrences, events, count, usage statistics
fired => events, occurrences, triggered
local port => port forward
to false => set, update, toggle
to true => set, update, toggle
flip => toggle, set, switch, update
hook up to => connect
hook up => connect, integrate, setup
wire up => setup, integrate, integration, configure
hang up => disconnect, close, terminate
trash the => delete, drop, remove
jot => write, note, observation
bail out => stop, cancel, abort
bail => stop, cancel
punch in => type, fill, enter
keep tabs on => create monitor, monitor, track changes
address into => geocode, coordinates
into coordinates => geocode
to coordinates => geocode
spit back => echo
spit out => output, print, echo
raw contents => read file, text
raw file => read file, text file
approval => approve, create review
stamp => approve, create review
sign off on => approve, create review
drop a comment => create comment, add comment
dig into => analyze, investigate, root cause, details
dig up => search, find
peek at => view, read, show, list, get
peek => view, read, show
eyeball => view, show, inspect
skim => read, view, fetch, content
cut a release => create release, tag, release branch
cut a tag => tag
cut a branch => create branch
land the => merge
crunch => aggregate, calculate, statistics
mint => create, generate
shrink => resize, smaller
mash => press, press key
sniff => network requests, traffic, intercept
hang tight => wait
dismiss => handle dialog, close, dismiss
chime in => reply, thread
kill off => kill, terminate
rip out => delete, remove
spin down => scale, stop, delete
prune => clean, delete, remove
ditch => delete, discard, remove
zap => delete, remove
axe => delete, remove
park my => stash, set aside
park the changes => stash, set aside
park changes => stash, set aside
shoot a => send, post message
drop a line => post message
loop in => message, post message, mention
sanity check => validate, verify
clobber => overwrite, write file
roll out => rollout, deploy, apply
roll the => restart, rollout
recycle => restart, rollout
to remote => push, upload
ship these commits => push
assigned to me => list issues, search issues, assignee, filter
one commit from => cherry pick
commit from another => cherry pick
commits from another => cherry pick
on every => many, all, all documents
for every => many, all
are running => list, get, status
what up with => describe, wrong with, diagnose
whats up with => describe, wrong with, diagnose
documents for => find, query
documents where => find, query, filter
documents with => find, query
stage all => git add, staging area
stage my => git add, staging area
fish out => find, search, get, extract
throw together => create, new
whip up => create, generate, write
pop open => open, navigate
wipe out => delete, remove, drop, destroy
clear out => delete, clean, remove
shoot over => send, post, reply
who broke => blame, author, who changed
hop back => go back, navigate back
sync up => pull, fetch, update
push up => push, upload
push out => push, publish
spin off => fork, create branch
ssh into => exec, shell into
exec into => exec, shell into
nudge => message, post message, reply
heads up => post message, announce
glance at => view, read, show
look over => read, review, view
poke at => inspect, click, explore, interact
kick the => rerun, restart, trigger
chuck => delete, discard, remove
toss => delete, discard, remove
follow the logs => logs, follow
follow logs => logs, follow
stream the logs => logs, follow
stream logs => logs, follow
watch the logs => logs, follow
watch logs => logs, follow
stand up => create, deploy, start, install
cut a new => create, new
fold in => merge
crack open => open, read
scope out => search, explore, view
look into => investigate, analyze, details
drill into => details, analyze, inspect
drill down => details, analyze, inspect
triage => search issues, issues, analyze
silence => ignore, mute, update issue
snap a => screenshot, capture
click through => click, navigate, interact
load up => navigate, open, load
jump to => navigate, go to, switch
bing => web search
duckduckgo => web search
memo => observation, note
note to self => observation, memory
squirrel away => memory, store, save
wrapping up => wrapup, finish
mull over => think, reflect, reason
chew on => think, reflect, reason
double check => verify, validate, check
tidy up => clean, cleanup
tidy => clean
zip up => gzip, compress
touch a file => create file, write file
scaffold => create, generate
stuff into => insert, write
shove into => insert, write
load into => insert, import
backfill => update many, insert, update
bulk update => update many
blast out => post message, broadcast
pull down the repo => clone
pull down a repo => clone
grab the repo => clone
copy of the repo => clone
open the pr => get pull request, view pull request
open the pull request => get pull request, view pull request
fetch the rows => query, find, records
pull the rows => query, find, records
grab the rows => query, find, records
fetch rows => query, find, records
pull rows => query, find, records
grab rows => query, find, records
rows where => query, find, filter
ship the branch => push
ship my branch => push
ship branch => push
throw away my => discard, reset
touches => files changed, pull request files
open a pr => create pull request
open a pull request => create pull request
raise a pr => create pull request
file a ticket => create issue
new branch => create branch
submit my approval => create pull request review, approve
my approval => create pull request review, approve
bring changes => pull, integrates changes
one commit => cherry pick, commit
single commit => cherry pick, commit
undo last commit => reset
remove untracked => clean, untracked
project root => directory, list directory
in background => start process, process
so far => output, read process output
next batch => more results, get more search results
next page of => more results
move pointer => hover
create a node => create entity
create node => create entity
member list => users
previous revision => rollout, undo, history
revision => rollout, history
docs page => web page, scrape, url
docs site => website, map, urls
done yet => status, check status
run again => rerun
unreliable => flaky
before committing => diff, status
separate branch => create branch
lying around => untracked, clean
download the repository => clone
summarize what changed => changelog
stored in memory => entire knowledge graph
let the team know => post message
let everyone know => post message
tell the team => post message
conversation under => thread replies
sentry link => sentry resource, url
page about => search title
tell me when => create monitor
run the failed => rerun
without cloning => get file contents
from the collection => documents
commit history => list commits, log
pr description => pull request details
messed up => reset, undo, revert
am i on => current branch
new page => create page
to the bottom => append, block children
as markdown => scrape, markdown
circleci config => config helper, configuration file
still running => status, running
did it finish => status
keeps restarting => crash, describe, logs
resource types => api resources, list api resources
post request => network request
commits ago => show, commit
detached head => create branch, branch
committed version => restore, checkout
waiting for input => send input, interact with process
reassign => update, assignees, update issue, assign
new database => create data source
done with => close, disconnect, stop
records from => find, query, records
inside the collection => insert, insert many
which tables => list collections, list tables
change the name => rename, move
mongodb docs => knowledge base, search knowledge, documentation
mongodb documentation => knowledge base, search knowledge, documentation
managed resources => cleanup
more copies => scale, replicas
new pods from => cordon, node
rebooting => maintenance, drain, node
from my laptop => port forward, local port
api resources => list api resources
subcommand => any kubectl command, arguments, flags
project slug => find projects
new exceptions => search issues, issues
top crashes => search issues
slow transaction => profile, performance, transaction
install sentry => sdk setup, documentation, instrumentation
people in => all users, members
comments on => retrieve comments
rows of => query, query data source, records
add a column => update, property, properties
usage export => download usage, usage data
feature branch => create branch, branch
talking in => messages, history
indexed => describe indexes, indexes
connection ids => list connections, active connections
how much space => storage size, stats, size
last hour => stats period, events
by its id => resource id, fetch
dsn => find dsns
this person => user profile, profile
tear down everything => cleanup, managed resources
local browser => port forward, local port
at the end of => append, block children
status property => page properties, update page properties
items from => query, query data source, records
which properties => retrieve data source, schema, properties
index that => create index
opened earlier => established earlier
crashing container => pod logs, kubernetes
restart all => rollout, restart
own copy => fork
what was said => messages, history
inner join => sql query
left join => sql query
filter by => find, query, filter
query plan => explain, winning plan
execution stats => explain, execution
custom resources => api resources
scale to zero => scale, replicas
rollout status => rollout
rollout history => rollout, history
field docs => explain resource, documentation
trace id => resource id, trace
suggested fix => root cause, seer, fix
autofix => seer, root cause, fix
new doc => create page
check off => update block, to do
failing tests => test results, failed tests
build output => artifacts
affected users => tag values, user count
over time => statistics, events
move to trash => in trash, update page
deployed versions => releases, component versions
what is deployed => component versions, releases
storage usage => storage, stats, statistics
replay link => replay details, replay url
ci passed => pipeline status
cut costs => underused resource classes, usage
data size => stats, statistics, size
inside the container => exec in pod, execute command
waiting for review => list pull requests
awaiting review => list pull requests
pending review => list pull requests
behind base => update branch
across github => search
poll => check status, status
not committed => working tree status, uncommitted, uncommitted changes, diff
one request => single network request
that request => single network request
one api call => single network request
entities named => open nodes, names
nodes named => open nodes, names
documents matching => find, filter
fetch documents => find
every matching => many, match
list pods => get or list
all pods => get or list
list deployments => get or list
all deployments => get or list
list services => get or list
into json => extract, structured
watch for changes => create monitor
workspace members => list all users
i launched => process output, running process
recent commits => list commits, commit history
delete untracked => clean
approve this => create review, approve
approve the => create review, approve
memory leak => leak, bug, performance
to do list => append block children, block, checklist
members of => list all users
container crash => pod logs, logs, container
watch this => create monitor, monitor
remove the link => delete relations
delete the link => delete relations
throw away untracked => remove untracked files, clean
happened => events, occurred
line comments => review comments
inline comments => review comments
open a ticket => create issue
look up issue => get issue
what's inside => list, contents, children
few documents => find, documents
sample documents => find, documents
field types => schema, describe schema
is there an index => collection indexes, describe indexes
print logs => get logs, logs
show logs => get logs, logs
request number => single network request
note that => add observations, observation
what's staged => working tree status, staged
history of changes => commit history, log
discard local changes => reset, hard reset, discard
discard all local changes => reset, hard reset, discard
not yet committed => uncommitted, working tree status
hogging memory => memory usage, cpu usage, process
specific fields => extract, structured data
distinct values => aggregate, distinct, group
record with => find, query, filter
create a row => create page, insert
history of commits => list commits, commit history, log
squash and merge => merge pull request, squash
approving review => create review, approve
full issue => get issue, details
read the issue => get issue, details
approve it => create review, approve
checkbox property => update page properties, checkbox
running in the cluster => get or list, kubernetes resources
head back => reset, head
description of => describe, details
log of commits => commit history, log
nav to => navigate
local storage => evaluate, javascript
session storage => evaluate, javascript
cursor => hover, mouse
submenu => hover, menu
where i was => go back, previous page
return to => go back
print preview => emulate media, print
on paper => emulate media, print
print stylesheet => emulate media, print
where on the page => find text page
tab key => press key
keystroke => press key
keyboard shortcut => press key
slider => drag
shows up => appear, wait
hold on => wait
follow links => crawl
table format => structured, extract
on its own => autonomous, agent
by itself => autonomous, agent
load more => interact, click
alerted => create monitor, monitor
daily => schedule, recurring
hourly => schedule, recurring
weekly => schedule, recurring
scientific => papers, academic
scholarly => papers, academic
different websites => multiple sources, research
many websites => multiple sources, research
the rest => more results, remaining
going on => active, running
still going => active, running
swap => replace, edit
interactive prompt => interact with process, send input
zombie => kill process, process
tutorial => onboarding, prompts, guide
getting started => onboarding, prompts
street name => reverse geocode, address
how high => elevation
meter high => elevation
which way => directions
go from => directions, route
design of => figma data, layout
laid out => structure, list directory
cron => schedule, recurring
fullpage => full page, screenshot
goto => navigate
input files => file upload
serp => web search, search results
pkill => kill process
killall => kill process
latlng => coordinates, latitude, longitude
near the => nearby, places
files inside => list directory, contents
inside a folder => list directory
change name => rename, move
in all the files => start search, search content, files
was changed => modified, last modified
into the running => send input, interact with process
most memory => memory usage, list processes
hanging => stuck, terminate, kill
close the program => kill process, terminate
last commands => recent tool calls, history
how tall => elevation, height
all links => map, urls
all the links => map, urls
who won => web search, news
paper say => read paper, passages
watcher => monitor
photo => picture, screenshot
browser view => screenshot, page
inner text => evaluate, javascript
inner html => evaluate, javascript
fetch calls => network requests
fetch requests => network requests
input type file => file upload
present on the page => find text page
search bar => input, type, field
search input => input, type, field
to the backend => network requests, api calls
dom tree => accessibility snapshot, page
accessibility snapshot => browser snapshot, page
search the page => find text page
search this page => find text page
lodash => library, documentation
mongoose => library, documentation
axios => library, documentation
redux => library, documentation
nestjs => library, framework, documentation
how many lines => file info, lines
line count => file info, lines
to the prompt => send input, interact with process
summarise => content, scrape
summarize => content, scrape
every page url => map, urls
in one call => multiple, at once, batch
prisma => library, documentation
zod => library, documentation
nextjs => library, framework, documentation
tailwind => library, framework, documentation
django => library, framework, documentation
fastapi => library, framework, documentation
tanstack => library, documentation
vue => library, framework, documentation
svelte => library, framework, documentation
pydantic => library, documentation
sqlalchemy => library, documentation
langchain => library, framework, documentation
temporary => stash
save my work => commit, stash
with a message => commit message, commit
which branch => current branch
not tracked => untracked
clone the repo => clone repository, local
my computer => local
remote tracking => fetch, remote branches
fresh repository => initialize repository, init
sync my => pull, fetch
newest code => pull, latest changes
latest code => pull, latest changes
head was => reflog, references
ask for review => create pull request
request changes on => create review
file named => search files, find file
files named => search files, find files
was created => creation time, metadata
owns => relation
dump everything => read entire, export
everything you => entire, read graph
earlier sessions => memory, knowledge graph
previous sessions => memory, knowledge graph
small image => tiny image
small picture => tiny image
working copy => working tree, status
is clean => working tree status
ready for commit => stage, staging area
to other branch => checkout, switch branches
to another branch => checkout, switch branches
not know about => untracked
reviewed and merged => create pull request
be reviewed => create pull request
request for merge => create pull request, merge request
write a message => comment, post message
which commits => commit history, log
uncommitted work => stash, uncommitted changes
build passed => status checks, status
reviewers wrote => review comments
check my notes => search knowledge graph, search nodes
authorship => blame, author
who introduced => blame, author
who last edited => blame
on top of => rebase, onto
linear history => rebase
take back => undo, reset
check it in => commit
bring back => restore, pop
commits touched => commit history, file path
list of commits => commit history, list commits
isn t committed => uncommitted changes, diff
teammates pushed => pull, remote changes
others pushed => pull, remote changes
commit changed => show commit
before merging => status checks
how big it => size, metadata
memorized => memory, knowledge graph, stored
remembered => memory, knowledge graph, stored
who is responsible => blame, author
changes between => diff, differences between
unstaged => unstaged, diff, working tree
find the commit => log, commit history
my checkout => working tree, working directory
from origin => remote, fetch, pull
two branches => multiple working trees, worktree
file it => create issue, report
add label => update, labels
add a label => update, labels
recursive listing => directory tree, recursive
files matching => search files, pattern
comment on pr => add issue comment
comment on the pr => add issue comment
comment on pull request => add issue comment
go to the branch => checkout, switch branches
go to branch => checkout, switch branches
wrong commit => reset, undo
bad commit => reset, undo, revert
half done => stash, uncommitted changes
unfinished changes => stash, uncommitted changes
to local => clone, local
mix => merge, combine
dropped commit => reflog, recover
lost commit => reflog, recover
that commit => show commit, commit information
copy commit => cherry pick
copy the commit => cherry pick
copy a commit => cherry pick
changed in commit => show commit
store facts => add observations, memory
store a fact => add observations, memory
head => head, latest commit
culprit => blame, author
rewind => reset, undo
fast forward => merge, pull
sync => pull, fetch, update
bug report => create issue, issue
feature request => create issue, issue
mergeable => status checks, status
check runs => status checks
branch is behind => update branch, latest changes
starred => search repositories, stars
search and replace => edit, replace
substitute => replace, edit
heaviest => largest, sizes
file extension => pattern, search files
with extension => pattern, search files
mtime => modified time, metadata
access denied => allowed directories, access
permission denied => allowed directories, access
allowed paths => allowed directories
roots => allowed directories
mp3 => audio
wav => audio
revise => thoughts, thinking, revise
chain of thought => thinking, thoughts
hypothesis => thoughts, hypothesis, thinking
long term memory => memory, knowledge graph
for next time => memory, remember, observation
latest news => web search, news
read url => fetch, web page, content
fetch url => fetch, web page, content
subscribe => subscription, subscriber
structured output => structured content, output schema
tell me about => details, information
issue tracker => issues
tracker => issues
already an issue => search issues
save the information => memory, add observation
save the info => memory, add observation
roundtrip => echo
round trip => echo
fake => simulated, simulate
file exists => file information, metadata
is a directory => file information, type
printenv => environment variables, env
that landed => commit history, log
lines i changed => diff, changes
branch onto => rebase, onto
history is clean => rebase, linear history
clean history => rebase, linear history
halfway through => uncommitted changes, stash
without losing => stash, keep
force pushed => reflog, recover
through a pr => create pull request
via a pr => create pull request
as an issue => create issue
organized => structure, layout, tree
organised => structure, layout, tree
typo => edit, replace
can t remember => search, find
don t remember => search, find
future conversations => memory, knowledge graph
for future => memory, remember
what i know => search memory, knowledge graph
already know => knowledge graph, memory
in full => full content, complete
not saved => unsaved, uncommitted, modified
unsaved => uncommitted, modified
back to main branch => checkout, switch branches
cancel my last => undo, reset
cancel the commit => undo commit, reset
send the code => push, upload
send my code => push, upload
my pc => local
say ok => approve, create review
put this text => write, content
put the text => write, content
file with name => search files, name
file with the name => search files, name
forget all => delete entities
near to me => nearby, places, local
eat => restaurant, places
text from => content
text of => content
`;

/** One way to read a query word: a phrase of terms, and how much a match of it counts against the word itself. */
export interface Expansion {
  words: string[];
  /** Shorthand means exactly its expansion; a group member only something close. */
  shorthand: boolean;
}

// Word or phrase → the phrases (as word lists) it also looks for: group members both ways, MEANS one way.
function parseGroups(): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  const link = (from: string, to: string) => {
    const list = out.get(from) ?? [];
    if (from !== to && !list.some((l) => l.join(' ') === to)) list.push(to.split(' '));
    out.set(from, list);
  };
  for (const line of GROUPS.trim().split('\n')) {
    const members = line.split('|').map((m) => m.trim().toLowerCase()).filter(Boolean);
    for (const m of members) for (const other of members) link(m, other);
  }
  for (const line of MEANS.trim().split('\n')) {
    const [from, to] = line.split('=>').map((x) => x.trim().toLowerCase());
    for (const target of to?.split(',') ?? []) link(from!, target.trim());
  }
  return out;
}

let groups: Map<string, string[][]> | undefined;
/** The same, keyed by the stems of each phrase: a word in a form the vocabulary lacks (`errors`, `labelled`). */
let byStem: Map<string, string[][]> | undefined;

/** A phrase's words as stems. */
function stems(phrase: string): string {
  return phrase.split(' ').map(stem).join(' ');
}

/** Phrases already looked up (a query reads every run of up to MAX_PHRASE words), bounded. */
const looked = new Map<string, string[][] | undefined>();
const LOOKED = 20_000;

/** The vocabulary's related phrases for a query phrase: as written, else in another form of its words. */
function related(phrase: string): string[][] | undefined {
  if (looked.has(phrase)) return looked.get(phrase);
  if (looked.size >= LOOKED) looked.clear();
  const out = lookUp(phrase);
  looked.set(phrase, out);
  return out;
}

function lookUp(phrase: string): string[][] | undefined {
  groups ??= parseGroups();
  const exact = groups.get(phrase);
  if (exact) return exact;
  if (!byStem) {
    byStem = new Map();
    for (const [key, list] of groups) {
      const k = stems(key);
      const merged = byStem.get(k) ?? [];
      for (const l of list) if (!merged.some((m) => m.join(' ') === l.join(' ')) && stems(l.join(' ')) !== k) merged.push(l);
      byStem.set(k, merged);
    }
  }
  return byStem.get(stems(phrase));
}

/** Longest phrase (in words) that the vocabulary knows. */
export const MAX_PHRASE = 4;

/** The expansions of a query word or phrase (`words` joined by spaces), not counting the word itself. */
export function expansions(phrase: string): Expansion[] {
  const out: Expansion[] = [];
  const short = SHORTHAND[phrase];
  if (short) out.push({ words: short.split(' '), shorthand: true });
  for (const words of related(phrase) ?? []) out.push({ words, shorthand: false });
  return out;
}

/** True if the vocabulary knows this word or phrase (in some form). */
export function known(phrase: string): boolean {
  return phrase in SHORTHAND || related(phrase) !== undefined;
}
